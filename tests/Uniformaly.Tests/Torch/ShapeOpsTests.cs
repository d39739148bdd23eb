using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>Views, joins and indexing, against hand-computed values.</summary>
public sealed class ShapeOpsTests
{
    private DisposeScope _scope = null!;
    private Tensor _x = null!; // [[0, 1, 2], [3, 4, 5]]

    [SetUp]
    public void Create()
    {
        _scope = new DisposeScope();
        _x = Tensor.FromArray(new float[] { 0, 1, 2, 3, 4, 5 }, 2, 3);
    }

    [TearDown]
    public void CloseScope() => _scope.Dispose();

    [Test]
    public void ReshapeViewFlatten()
    {
        TensorAssert.Values(_x.Reshape(3, 2), [3, 2], [0, 1, 2, 3, 4, 5]);
        TensorAssert.Values(_x.View(6), [6], [0, 1, 2, 3, 4, 5]);
        TensorAssert.Values(_x.Reshape(-1, 2), [3, 2], [0, 1, 2, 3, 4, 5]);
        TensorAssert.Values(_x.Unsqueeze(0).Flatten(), [6], [0, 1, 2, 3, 4, 5]);
        TensorAssert.Values(_x.Unsqueeze(1).Flatten(1), [2, 3], [0, 1, 2, 3, 4, 5]);
    }

    [Test]
    public void View_OfNonContiguousTensor_ThrowsTorchException()
    {
        var e = Assert.Throws<TorchException>(() => _x.Transpose(0, 1).View(6));
        Assert.That(e!.Message, Does.Contain("view"));
    }

    [Test]
    public void PermuteTransposeContiguous()
    {
        TensorAssert.Values(_x.Transpose(0, 1), [3, 2], [0, 3, 1, 4, 2, 5]);
        var cube = Tensor.Arange(0, 8, dtype: DType.Float32).Reshape(2, 2, 2);
        TensorAssert.Values(cube.Permute(2, 0, 1).Contiguous(), [2, 2, 2], [0, 2, 4, 6, 1, 3, 5, 7]);
    }

    [Test]
    public void SqueezeUnsqueezeExpand()
    {
        var u = _x.Unsqueeze(1);
        Assert.That(u.Shape, Is.EqualTo(new long[] { 2, 1, 3 }));
        Assert.That(u.Squeeze(1).Shape, Is.EqualTo(new long[] { 2, 3 }));
        TensorAssert.Values(Tensor.FromArray(new float[] { 1, 2 }, 2, 1).Expand(2, 3), [2, 3], [1, 1, 1, 2, 2, 2]);
    }

    [Test]
    public void CatAndStack()
    {
        var a = Tensor.FromArray(new float[] { 1, 2 });
        var b = Tensor.FromArray(new float[] { 3, 4 });
        TensorAssert.Values(Tensor.Cat([a, b]), [4], [1, 2, 3, 4]);
        TensorAssert.Values(Tensor.Stack([a, b]), [2, 2], [1, 2, 3, 4]);
        TensorAssert.Values(Tensor.Stack([a, b], 1), [2, 2], [1, 3, 2, 4]);
        TensorAssert.Values(Tensor.Cat([_x, _x], 1), [2, 6], [0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5]);
    }

    [Test]
    public void Cat_WithMismatchedShapes_ThrowsTorchException()
    {
        var e = Assert.Throws<TorchException>(() => Tensor.Cat([_x, Tensor.Zeros([2, 2])], 0));
        Assert.That(e!.Message, Does.Contain("Sizes of tensors must match"));
    }

    [Test]
    public void NarrowSliceSelect()
    {
        TensorAssert.Values(_x.Narrow(1, 1, 2), [2, 2], [1, 2, 4, 5]);
        TensorAssert.Values(_x.Slice(1, 0, 3, 2), [2, 2], [0, 2, 3, 5]);
        TensorAssert.Values(_x.Select(0, 1), [3], [3, 4, 5]);
        TensorAssert.Values(_x.Select(1, -1), [2], [2, 5]);
    }

    [Test]
    public void IndexSelectGatherMaskedSelectNonZero()
    {
        var idx = Tensor.FromArray(new long[] { 2, 0 });
        TensorAssert.Values(_x.IndexSelect(1, idx), [2, 2], [2, 0, 5, 3]);
        var gatherIdx = Tensor.FromArray(new long[] { 2, 0 }, 2, 1);
        TensorAssert.Values(_x.Gather(1, gatherIdx), [2, 1], [2, 3]);
        TensorAssert.Values(_x.MaskedSelect(_x > 2.5), [3], [3, 4, 5]);
        TensorAssert.Longs((_x > 3.5).NonZero(), [2, 2], [1L, 1L, 1L, 2L]);
    }

    [Test]
    public void IndexCopy_ReplacesTheIndexedRows()
    {
        var rows = Tensor.FromArray(new float[] { 9, 9, 9, 8, 8, 8 }, 2, 3);
        var idx = Tensor.FromArray(new long[] { 1, 0 });
        TensorAssert.Values(_x.IndexCopy(0, idx, rows), [2, 3], [8, 8, 8, 9, 9, 9]);
        TensorAssert.Values(_x, [2, 3], [0, 1, 2, 3, 4, 5]);
    }

    [Test]
    public void IndexSelect_OutOfRange_ThrowsTorchException()
    {
        var idx = Tensor.FromArray(new long[] { 7 });
        var e = Assert.Throws<TorchException>(() => _x.IndexSelect(1, idx));
        Assert.That(e!.Message, Does.Contain("out of DATA bounds").Or.Contain("out of range"));
    }
}

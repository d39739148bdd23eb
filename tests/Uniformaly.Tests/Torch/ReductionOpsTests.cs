using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>Reductions and ordering along dims, against hand-computed values.</summary>
public sealed class ReductionOpsTests
{
    private DisposeScope _scope = null!;
    private Tensor _x = null!; // [[1, 5, 3], [4, 2, 6]]

    [SetUp]
    public void Create()
    {
        _scope = new DisposeScope();
        _x = Tensor.FromArray(new float[] { 1, 5, 3, 4, 2, 6 }, 2, 3);
    }

    [TearDown]
    public void CloseScope() => _scope.Dispose();

    [Test]
    public void WholeTensorReductions()
    {
        Assert.That(_x.Sum().Item(), Is.EqualTo(21));
        Assert.That(_x.Mean().Item(), Is.EqualTo(3.5));
        Assert.That(_x.Max().Item(), Is.EqualTo(6));
        Assert.That(_x.Min().Item(), Is.EqualTo(1));
    }

    [Test]
    public void ReductionsAlongDims()
    {
        TensorAssert.Values(_x.Sum(0), [3], [5, 7, 9]);
        TensorAssert.Values(_x.Mean(1), [2], [3, 4]);
        TensorAssert.Values(_x.Mean(1, keepDim: true), [2, 1], [3, 4]);
        TensorAssert.Values(_x.Sum([0, 1]), [], [21]);
        TensorAssert.Values(_x.CumSum(1), [2, 3], [1, 6, 9, 4, 6, 12]);
    }

    [Test]
    public void MaxMinWithIndices()
    {
        var (maxValues, maxIndices) = _x.Max(1);
        TensorAssert.Values(maxValues, [2], [5, 6]);
        TensorAssert.Longs(maxIndices, [2], [1L, 2L]);
        var (minValues, minIndices) = _x.Min(0);
        TensorAssert.Values(minValues, [3], [1, 2, 3]);
        TensorAssert.Longs(minIndices, [3], [0L, 1L, 0L]);
        TensorAssert.Longs(_x.ArgMax(1), [2], [1L, 2L]);
        TensorAssert.Longs(_x.ArgMin(1, keepDim: true), [2, 1], [0L, 1L]);
    }

    [Test]
    public void TopK_LargestAndSmallest()
    {
        var (values, indices) = _x.TopK(2, dim: 1);
        TensorAssert.Values(values, [2, 2], [5, 3, 6, 4]);
        TensorAssert.Longs(indices, [2, 2], [1L, 2L, 2L, 0L]);
        var (small, smallIndices) = _x.TopK(1, dim: 0, largest: false);
        TensorAssert.Values(small, [1, 3], [1, 2, 3]);
        TensorAssert.Longs(smallIndices, [1, 3], [0L, 1L, 0L]);
    }

    [Test]
    public void Sort_AscendingDescendingAndStable()
    {
        var (values, indices) = _x.Sort(1);
        TensorAssert.Values(values, [2, 3], [1, 3, 5, 2, 4, 6]);
        TensorAssert.Longs(indices, [2, 3], [0L, 2L, 1L, 1L, 0L, 2L]);
        var (desc, _) = _x.Sort(1, descending: true);
        TensorAssert.Values(desc, [2, 3], [5, 3, 1, 6, 4, 2]);
        var ties = Tensor.FromArray(new float[] { 2, 1, 2, 1 });
        var (_, tieOrder) = ties.Sort(0, stable: true);
        TensorAssert.Longs(tieOrder, [4], [1L, 3L, 0L, 2L]);
    }

    [Test]
    public void TopK_WithKTooLarge_ThrowsTorchException()
    {
        var e = Assert.Throws<TorchException>(() => _x.TopK(4, dim: 1));
        Assert.That(e!.Message, Does.Contain("out of range").Or.Contain("k"));
    }
}

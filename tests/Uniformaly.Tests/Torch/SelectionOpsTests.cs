using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>Tensor.UpdateSmallest: the running k smallest per row across column blocks.</summary>
public sealed class SelectionOpsTests
{
    /// <summary>Blocks of uneven widths (one narrower than k) folded in one after another keep, per
    /// row, exactly the k smallest values of the whole matrix and their column numbers, on the fused
    /// CPU path (float32, bfloat16) and on the generic top-k path (a non-contiguous block, float64,
    /// k above the fused limit).</summary>
    [TestCase(DType.Float32, 5, false)]
    [TestCase(DType.BFloat16, 5, false)]
    [TestCase(DType.Float32, 1, false)]
    [TestCase(DType.Float32, 5, true)]
    [TestCase(DType.Float64, 5, false)]
    [TestCase(DType.Float32, 70, false)]
    public void UpdateSmallest_KeepsTheKSmallestOfAllBlocks(DType dtype, int k, bool transposed)
    {
        using var scope = new DisposeScope();
        TorchRuntime.ManualSeed(3);
        const int rows = 37, columns = 300;
        var matrix = Tensor.Randn([rows, columns]).To(dtype);
        var values = Tensor.Full([rows, k], double.PositiveInfinity, DType.Float32);
        var indices = Tensor.Full([rows, k], -1, DType.Int64);
        var widths = new[] { 100, 3, 97, 100 };
        long start = 0;
        foreach (var width in widths)
        {
            var block = matrix.Narrow(1, start, width);
            if (transposed) block = block.Transpose(0, 1).Contiguous().Transpose(0, 1);
            Tensor.UpdateSmallest(values, indices, block, start);
            start += width;
        }

        var all = matrix.To(DType.Float32).ToArray<float>();
        var kept = values.ToArray<float>();
        var keptColumns = indices.ToArray<long>();
        for (var r = 0; r < rows; r++)
        {
            var row = all.AsSpan(r * columns, columns).ToArray();
            var expected = row.Order().Take(k).ToArray();
            var actual = kept.AsSpan(r * k, k).ToArray();
            Assert.That(actual.Order().ToArray(), Is.EqualTo(expected), $"row {r} values");
            for (var j = 0; j < k; j++)
                Assert.That(row[keptColumns[r * k + j]], Is.EqualTo(actual[j]), $"row {r} slot {j} column");
            Assert.That(keptColumns.Skip(r * k).Take(k).Distinct().Count(), Is.EqualTo(k), $"row {r}: distinct columns");
        }
    }

    [Test]
    public void UpdateSmallest_FusedPath_KeepsTheEarlierColumnOnTies()
    {
        using var scope = new DisposeScope();
        var block = Tensor.FromArray(new[] { 2f, 1f, 1f, 1f, 0f, 1f }, 1, 6);
        var values = Tensor.Full([1, 2], double.PositiveInfinity, DType.Float32);
        var indices = Tensor.Full([1, 2], -1, DType.Int64);
        Tensor.UpdateSmallest(values, indices, block, 10);
        Assert.That(indices.ToArray<long>().Order(), Is.EqualTo(new long[] { 11, 14 }));
        Assert.That(values.ToArray<float>().Order(), Is.EqualTo(new[] { 0f, 1f }));
    }

    [Test]
    public void UpdateSmallest_BadShapes_RaiseTorchExceptions()
    {
        using var scope = new DisposeScope();
        var block = Tensor.Zeros([4, 10]);
        Assert.That(() => Tensor.UpdateSmallest(Tensor.Zeros([3, 2]), Tensor.Zeros([3, 2], DType.Int64), block, 0),
            Throws.TypeOf<TorchException>().With.Message.Contains("update_smallest"));
        Assert.That(() => Tensor.UpdateSmallest(Tensor.Zeros([4, 2], DType.Float64), Tensor.Zeros([4, 2], DType.Int64), block, 0),
            Throws.TypeOf<TorchException>().With.Message.Contains("float32"));
        Assert.That(() => Tensor.UpdateSmallest(Tensor.Zeros([4, 0]), Tensor.Zeros([4, 0], DType.Int64), block, 0),
            Throws.TypeOf<TorchException>().With.Message.Contains("at least 1"));
    }
}

using NUnit.Framework;
using Uniformaly.Research.Bank;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Bank;

/// <summary>Identity, random and approximate greedy coreset samplers (docs/method.md section 6).</summary>
public sealed class SamplerTests
{
    /// <summary>PatchCore's selection, index for index, with the CPU kernels and with the
    /// device-generic tensor path (what CUDA runs).</summary>
    [TestCase(0.1, "coreset_selected_r0.1", true)]
    [TestCase(0.1, "coreset_selected_r0.1", false)]
    [TestCase(0.05, "coreset_selected_r0.05", true)]
    [TestCase(0.05, "coreset_selected_r0.05", false)]
    public void Coreset_WithTheReferencesProjectionAndStarts_SelectsTheSameRows(double ratio, string expected, bool cpuKernels)
    {
        using var scope = new DisposeScope();
        var features = DetectionFixtures.Load("coreset_features");
        var start = new CoresetStart(DetectionFixtures.Load("coreset_projection"), DetectionFixtures.Load("coreset_starts"));
        var selected = new ApproximateGreedyCoresetSampler(ratio, start) { CpuKernels = cpuKernels }.Select(features);
        Assert.That(selected.ToArray<long>(), Is.EqualTo(DetectionFixtures.Longs(expected)));
    }

    [Test]
    public void Coreset_SeededDefault_MatchesTheReferenceDrawnFromTheSameGenerator()
    {
        using var scope = new DisposeScope();
        var features = DetectionFixtures.Load("coreset_features");
        var selected = new ApproximateGreedyCoresetSampler(0.1, seed: 7).Select(features);
        Assert.That(selected.ToArray<long>(), Is.EqualTo(DetectionFixtures.Longs("coreset_selected_seed7_r0.1")));
    }

    [Test]
    public void Coreset_SelectsDistinctRows_AndIsReproducible()
    {
        using var scope = new DisposeScope();
        var features = DetectionFixtures.Load("coreset_features");
        var first = new ApproximateGreedyCoresetSampler(0.2, seed: 1).Select(features).ToArray<long>();
        var again = new ApproximateGreedyCoresetSampler(0.2, seed: 1).Select(features).ToArray<long>();
        var other = new ApproximateGreedyCoresetSampler(0.2, seed: 2).Select(features).ToArray<long>();
        Assert.That(first, Has.Length.EqualTo(120));
        Assert.That(first.Distinct().Count(), Is.EqualTo(120));
        Assert.That(again, Is.EqualTo(first));
        Assert.That(other, Is.Not.EqualTo(first));
    }

    [Test]
    public void Coreset_FirstPick_IsTheRowFarthestFromTheStarts()
    {
        // 1-D points with an identity projection: starts {0, 1} at 0 and 1; point 4 at 10 is farthest
        // on average; after it, point 3 at 5 is the farthest from {start mean distance, 10}.
        using var scope = new DisposeScope();
        var features = Tensor.FromArray([0f, 1f, 2f, 5f, 10f], 5, 1);
        var start = new CoresetStart(Tensor.FromArray([1f], 1, 1), Tensor.FromArray([0L, 1L]));
        var selected = new ApproximateGreedyCoresetSampler(0.4, start).Select(features);
        Assert.That(selected.ToArray<long>(), Is.EqualTo(new long[] { 4, 3 }));
    }

    /// <summary>Equal distances: the first row is taken, as torch.argmax does (rows 2 and 3 are both
    /// at 10; after row 2 is taken, row 3 is at distance 0 and row 4 at 5 is next).</summary>
    [TestCase(true)]
    [TestCase(false)]
    public void Coreset_EqualDistances_TakeTheFirstRow(bool cpuKernels)
    {
        using var scope = new DisposeScope();
        var features = Tensor.FromArray([0f, 1f, 10f, 10f, 5f], 5, 1);
        var start = new CoresetStart(Tensor.FromArray([1f], 1, 1), Tensor.FromArray([0L, 1L]));
        var selected = new ApproximateGreedyCoresetSampler(0.4, start) { CpuKernels = cpuKernels }.Select(features);
        Assert.That(selected.ToArray<long>(), Is.EqualTo(new long[] { 2, 4 }));
    }

    /// <summary>The CPU kernels pick what the tensor path picks, on enough rows (8,200: 513 blocks of
    /// 16) to be split between threads, with one thread and with two, on unstructured data and on
    /// data with a NaN row (which, as with torch.argmax and torch.minimum, is taken first and then
    /// poisons every distance).</summary>
    [TestCase(2, false)]
    [TestCase(1, false)]
    [TestCase(2, true)]
    public void Coreset_CpuKernels_PickWhatTheTensorPathPicks(int threads, bool nanRow)
    {
        using var scope = new DisposeScope();
        var saved = TorchRuntime.NumThreads;
        try
        {
            TorchRuntime.NumThreads = threads;
            TorchRuntime.ManualSeed(21);
            var features = Tensor.Randn([8200, 24]);
            if (nanRow) features.Narrow(0, 4321, 1).Narrow(1, 5, 1).Fill(double.NaN);
            var kernels = new ApproximateGreedyCoresetSampler(0.01, seed: 3).Select(features).ToArray<long>();
            var tensors = new ApproximateGreedyCoresetSampler(0.01, seed: 3) { CpuKernels = false }.Select(features).ToArray<long>();
            Assert.That(kernels, Is.EqualTo(tensors));
            if (nanRow) Assert.That(kernels.Take(2), Is.EqualTo(new long[] { 4321, 0 }));
        }
        finally
        {
            TorchRuntime.NumThreads = saved;
        }
    }

    [Test]
    public void Random_KeepsIntOfMTimesRatio_DistinctRows_FromTheSeededPermutation()
    {
        using var scope = new DisposeScope();
        var features = Tensor.Zeros([50, 3]);
        var selected = new RandomSampler(0.25, seed: 0).Select(features).ToArray<long>();
        TorchRuntime.ManualSeed(0);
        var permutation = Tensor.RandPerm(50).ToArray<long>();
        Assert.That(selected, Is.EqualTo(permutation.Take(12).ToArray())); // int(50 * 0.25) = 12
        Assert.That(selected.Distinct().Count(), Is.EqualTo(12));
    }

    [Test]
    public void Identity_KeepsEveryRowInOrder()
    {
        using var scope = new DisposeScope();
        var selected = new IdentitySampler().Select(Tensor.Zeros([4, 2]));
        Assert.That(selected.ToArray<long>(), Is.EqualTo(new long[] { 0, 1, 2, 3 }));
    }

    [TestCase(0.0)]
    [TestCase(1.5)]
    [TestCase(double.NaN)]
    public void Ratio_OutsideUnitInterval_IsRejected(double ratio)
    {
        Assert.That(() => new RandomSampler(ratio), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("ratio"));
        Assert.That(() => new ApproximateGreedyCoresetSampler(ratio), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("ratio"));
    }

    [Test]
    public void Coreset_BadStartRowsOrProjection_AreRejected()
    {
        using var scope = new DisposeScope();
        var features = Tensor.Zeros([5, 2]);
        var outOfRange = new CoresetStart(Tensor.Ones([3, 2]), Tensor.FromArray([0L, 5L]));
        Assert.That(() => new ApproximateGreedyCoresetSampler(0.5, outOfRange).Select(features),
            Throws.ArgumentException.With.Message.Contains("[0, 5)"));
        var wrongWidth = new CoresetStart(Tensor.Ones([3, 4]), Tensor.FromArray([0L]));
        Assert.That(() => new ApproximateGreedyCoresetSampler(0.5, wrongWidth).Select(features),
            Throws.ArgumentException.With.Message.Contains("projection"));
        Assert.That(() => new IdentitySampler().Select(Tensor.Zeros([0, 2])), Throws.ArgumentException.With.Message.Contains("non-empty"));
    }
}

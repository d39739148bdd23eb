using NUnit.Framework;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Torch;
using Uniformaly.Tests.Torch;

namespace Uniformaly.Tests.Detection;

/// <summary>Back Patch Masking of test scores (SPEC section 5) and top k-ratio image scores (section 8).</summary>
public sealed class ScoringTests
{
    [TestCase(BackPatchMaskingMode.Off, "off")]
    [TestCase(BackPatchMaskingMode.Binary, "binary")]
    [TestCase(BackPatchMaskingMode.Soft, "soft")]
    public void Masking_MatchesTheReference(BackPatchMaskingMode mode, string name)
    {
        using var scope = new DisposeScope();
        var masked = BackPatchMasking.ApplyToScores(DetectionFixtures.Load("topk_scores"), DetectionFixtures.Load("topk_attention"), mode);
        TensorAssert.Values(masked, [3, 196], DetectionFixtures.Floats($"topk_masked_{name}"), Tolerances.Product);
    }

    [TestCase("off", PatchSelector.TopK, 0.05)]
    [TestCase("binary", PatchSelector.TopK, 0.05)]
    [TestCase("soft", PatchSelector.TopK, 0.05)]
    [TestCase("binary", PatchSelector.TopK, 0.01)]
    [TestCase("binary", PatchSelector.TopK, 0.0025)]
    [TestCase("soft", PatchSelector.Max, 1.0)]
    [TestCase("binary", PatchSelector.All, 1.0)]
    [TestCase("off", PatchSelector.All, 1.0)]
    public void ImageScores_MatchTheReference(string mask, PatchSelector selector, double k)
    {
        using var scope = new DisposeScope();
        var masked = DetectionFixtures.Load($"topk_masked_{mask}");
        using var result = new TopKRatioScorer(k, selector).Score(masked);
        var file = $"topk_image_{mask}_{selector.ToString().ToLowerInvariant()}_{k.ToString("0.0###", System.Globalization.CultureInfo.InvariantCulture)}";
        TensorAssert.Values(result.Scores, [3], DetectionFixtures.Floats(file), Tolerances.TopKMean);
    }

    [Test]
    public void ChosenPatches_AreTheKHighest_AndAverageToTheScore()
    {
        using var scope = new DisposeScope();
        var masked = DetectionFixtures.Load("topk_masked_binary");
        using var result = new TopKRatioScorer(0.05).Score(masked); // K = round(9.8) = 10
        Assert.That(result.PatchIndices.Shape, Is.EqualTo(new long[] { 3, 10 }));
        var values = masked.ToArray<float>();
        var chosen = result.PatchIndices.ToArray<long>();
        var scores = result.Scores.ToArray<float>();
        for (var b = 0; b < 3; b++)
        {
            var row = values.Skip(b * 196).Take(196).ToArray();
            var expected = Enumerable.Range(0, 196).OrderByDescending(i => row[i]).Take(10).Select(i => (long)i);
            Assert.That(chosen.Skip(b * 10).Take(10), Is.EqualTo(expected));
            NumericAssert.Close(scores[b], chosen.Skip(b * 10).Take(10).Average(i => row[i]), Tolerances.TopKMean, $"image {b} score", row.Max());
        }
    }

    [Test]
    public void ClusteringFeatures_AverageThePatchFeaturesAtTheChosenPositions()
    {
        // Two images, N = 4 patches, D = 2; k = 0.5 keeps K = 2 patches per image.
        using var scope = new DisposeScope();
        var scores = Tensor.FromArray([0.1f, 0.9f, 0.5f, 0.2f, 3f, 1f, 2f, 0f], 2, 4);
        var features = Tensor.FromArray([0f, 1f, 10f, 11f, 20f, 21f, 30f, 31f, 1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], 2, 4, 2);
        using var result = new TopKRatioScorer(0.5).Score(scores);
        TensorAssert.Longs(result.PatchIndices, [2, 2], [1, 2, 0, 2]);
        TensorAssert.Values(result.ClusteringFeatures(features), [2, 2], [15f, 16f, 3f, 4f]);
        using var all = new TopKRatioScorer(selector: PatchSelector.All).Score(scores);
        TensorAssert.Values(all.ClusteringFeatures(features), [2, 2], [15f, 16f, 4f, 5f]);
        Assert.That(() => result.ClusteringFeatures(Tensor.Zeros([3, 4, 2])), Throws.ArgumentException.With.Property("ParamName").EqualTo("patchFeatures"));
    }

    [Test]
    public void AllSelector_ChoosesEveryPatchInOrder()
    {
        using var scope = new DisposeScope();
        using var result = new TopKRatioScorer(selector: PatchSelector.All).Score(Tensor.Zeros([2, 4]));
        TensorAssert.Longs(result.PatchIndices, [2, 4], [0, 1, 2, 3, 0, 1, 2, 3]);
    }

    /// <summary>K = max(1, round(k·N)) with Python's round; the expected values are Python's.</summary>
    [TestCase(0.05, 196, 10)]   // round(9.8)
    [TestCase(0.01, 196, 2)]    // round(1.96)
    [TestCase(0.001, 196, 1)]   // round(0.196) = 0 -> 1 (the release would average nothing)
    [TestCase(0.0125, 200, 2)]  // round(2.5) = 2: half to even
    [TestCase(0.0175, 200, 4)]  // round(3.5) = 4
    [TestCase(1.0, 196, 196)]
    public void PatchCount_RoundsHalfToEven_AndIsAtLeastOne(double k, long patches, long expected)
    {
        Assert.That(new TopKRatioScorer(k).PatchCount(patches), Is.EqualTo(expected));
    }

    [TestCase(0.0)]
    [TestCase(-0.1)]
    [TestCase(1.01)]
    [TestCase(double.NaN)]
    public void Ratio_OutsideZeroOne_IsRejectedNamingK(double k)
    {
        Assert.That(() => new TopKRatioScorer(k), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("k"));
    }

    [Test]
    public void Masking_WithoutAttention_IsRejected()
    {
        using var scope = new DisposeScope();
        Assert.That(() => BackPatchMasking.ApplyToScores(Tensor.Zeros([1, 4]), null, BackPatchMaskingMode.Binary),
            Throws.ArgumentNullException.With.Property("ParamName").EqualTo("attention"));
        Assert.That(() => BackPatchMasking.ApplyToScores(Tensor.Zeros([1, 4]), Tensor.Zeros([1, 5]), BackPatchMaskingMode.Soft),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("attention"));
    }

    [Test]
    public void TrainingKeep_FollowsTheMode()
    {
        using var scope = new DisposeScope();
        var attention = Tensor.FromArray([0f, 0.05f, 0.1f, 0.2f, 1f], 1, 5);
        TensorAssert.Bools(BackPatchMasking.TrainingKeep(attention, BackPatchMaskingMode.Binary), [1, 5], [false, false, false, true, true]);
        TensorAssert.Bools(BackPatchMasking.TrainingKeep(attention, BackPatchMaskingMode.Soft), [1, 5], [false, true, true, true, true]);
        TensorAssert.Bools(BackPatchMasking.TrainingKeep(attention, BackPatchMaskingMode.Off), [1, 5], [true, true, true, true, true]);
    }
}

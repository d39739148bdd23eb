using NUnit.Framework;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Masking;

/// <summary>--masking pca against tools/make_recipe_fixtures.py (scikit-learn PCA, scipy.ndimage
/// morphology with OpenCV's borders) on four images: a centred object, one whose background has the
/// largest scores (the centre check flips to the object), a small one, and one in a corner whose
/// flipped side passes nowhere (an empty mask).</summary>
[TestFixture]
public sealed class PcaForegroundMaskingTests
{
    [Test]
    public void FirstComponentScores_AreScikitLearns_SignedAsItSignsThem()
    {
        using var features = DetectionFixtures.Load("pca_features");
        using var scores = PcaForegroundMasking.FirstComponentScores(features);
        using var expected = DetectionFixtures.Load("pca_scores");
        NumericAssert.Close(scores.To(DType.Float32), expected, Tolerances.PcaScores, "first principal component scores");
    }

    /// <summary>Exact: every score lies at least 0.5 from the threshold (the script ensures it), far beyond rounding.</summary>
    [Test]
    public void Mask_IsAnomalyDinosMask()
    {
        using var features = DetectionFixtures.Load("pca_features");
        var grid = DetectionFixtures.Load("pca_grid").ToArray<long>();
        using var mask = PcaForegroundMasking.Mask(features, (int)grid[0], (int)grid[1]);
        using var expected = DetectionFixtures.Load("pca_mask");
        Assert.That(mask.ToArray<bool>(), Is.EqualTo(expected.ToArray<bool>()));
        var kept = expected.ToArray<bool>().Chunk((int)(grid[0] * grid[1])).Select(image => image.Count(k => k)).ToList();
        Assert.That(kept, Has.Some.EqualTo(0).And.Some.EqualTo(grid[0] * grid[1]).And.Some.InRange(1, grid[0] * grid[1] - 1),
            "the fixture covers empty, full and partial masks");
    }

    [Test]
    public void Mask_RefusesFeaturesThatAreNotTheGrid()
    {
        using var features = Tensor.Zeros([2, 12, 4]);
        Assert.That(() => PcaForegroundMasking.Mask(features, 3, 5), Throws.ArgumentException.With.Message.Contains("3x5 grid"));
    }

    [TestCase("screw", true)]
    [TestCase("capsule", true)]
    [TestCase("carpet", false)]
    [TestCase("metal_nut", false)]
    [TestCase("candle", true)]
    [TestCase("synth_object", true)]
    [TestCase(null, true)]
    public void Rule_MasksWhereAnomalyDinoMasks(string? category, bool masks) =>
        Assert.That(PcaMaskingRule.Masks(category), Is.EqualTo(masks));
}

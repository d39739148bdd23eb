using NUnit.Framework;
using Uniformaly.Research.Bank;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Features;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Search;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Parity;

/// <summary>The detector with AnomalyDINO's recipe (--distance cosine --masking pca) against numpy
/// (tools/make_recipe_fixtures.py): every training patch in the bank, each test patch's 1 − cos to
/// its nearest, times its image's PCA mask, then the mean of the top k-ratio.</summary>
[TestFixture]
public sealed class RecipeDetectorTests
{
    private static readonly DetectorSettings Recipe = new()
    {
        Distance = PatchDistance.Cosine, Masking = ForegroundMasking.Pca, Sampler = SamplerKind.Identity, TopK = 0.05, Resize = 24, ImageSize = 24,
    };

    [TestCase(SearchPrecision.Float32)]
    [TestCase(SearchPrecision.CertifiedBFloat16)]
    public void ImageScores_AreAnomalyDinos(SearchPrecision precision)
    {
        var (h, w) = Grid();
        using var detector = UniformalyDetector.Fit(Recipe with { KnnPrecision = precision }, [Batch("cosine_train", h, w)], Device.Cpu);
        Assert.That(detector.BankSize, Is.EqualTo(2 * h * w), "--masking pca keeps every training patch");
        using var test = Batch("pca_features", h, w);
        using var output = detector.Predict(test, "screw");
        var dim = (int)test.Dim;
        NumericAssert.Close(output.Scores, DetectionFixtures.Load("cosine_image_scores"), Tolerances.CosineImageScore(dim, h * w), "image scores", scale: 2);
    }

    /// <summary>Categories the rule leaves unmasked are scored on every patch: with the mask gone the
    /// empty-mask image (score 0 above) gets a positive score.</summary>
    [Test]
    public void UnmaskedCategories_ScoreEveryPatch()
    {
        var (h, w) = Grid();
        using var detector = UniformalyDetector.Fit(Recipe, [Batch("cosine_train", h, w)], Device.Cpu);
        using var test = Batch("pca_features", h, w);
        using var masked = detector.Predict(test, "screw");
        using var unmasked = detector.Predict(test, "carpet");
        var (m, u) = (masked.Scores.ToArray<float>(), unmasked.Scores.ToArray<float>());
        Assert.That(m[3], Is.EqualTo(0f), "the corner image's mask is empty");
        Assert.That(u[3], Is.GreaterThan(0f));
        Assert.That(u, Has.All.GreaterThanOrEqualTo(0f));
    }

    private static (int H, int W) Grid()
    {
        var grid = DetectionFixtures.Load("pca_grid").ToArray<long>();
        return ((int)grid[0], (int)grid[1]);
    }

    /// <summary>Fixture features as a batch; the CLS attention is unused with --masking pca.</summary>
    private static PatchFeatures Batch(string name, int h, int w)
    {
        var features = DetectionFixtures.Load(name);
        return new PatchFeatures(features, Tensor.Ones([features.Size(0), features.Size(1)]), h, w);
    }
}

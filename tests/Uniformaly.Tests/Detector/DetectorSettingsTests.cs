using NUnit.Framework;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Models;

namespace Uniformaly.Tests.Detector;

public sealed class DetectorSettingsTests
{
    [Test]
    public void Defaults_AreThePapers()
    {
        var s = new DetectorSettings().Validate();
        Assert.That(s.Layers, Is.EqualTo(new[] { 3, 4, 5, 6, 7, 8, 9, 10 }));
        Assert.That(s.EffectiveAttentionLayer, Is.EqualTo(10));
        Assert.That((s.Kernel, s.Threshold, s.TopK, s.NearestNeighbours, s.Resize, s.ImageSize), Is.EqualTo((7, 0.1, 0.05, 1, 256, 224)));
        Assert.That(s.Masking, Is.EqualTo(BackPatchMaskingMode.Binary));
    }

    [Test]
    public void Json_RoundTrips()
    {
        var s = new DetectorSettings { Layers = [1, 2], AttentionLayer = 2, Masking = BackPatchMaskingMode.Soft, Sampler = SamplerKind.Random, TopK = 0.1, KnnPrecision = SearchPrecision.CertifiedBFloat16,
            BackbonePrecision = BackbonePrecision.BFloat16 };
        var back = DetectorSettings.FromJson(s.ToJson(), "test");
        Assert.That(back.ToJson(), Is.EqualTo(s.ToJson()));
        Assert.That(s.ToJson(), Does.Contain("\"masking\": \"Soft\"").And.Contain("\"knn_precision\": \"CertifiedBFloat16\"")
            .And.Contain("\"backbone_precision\": \"BFloat16\""));
        // Settings saved before the option existed load with the float32 search.
        var old = DetectorSettings.FromJson("{\"backbone\": \"dino_vits16\"}", "old");
        Assert.That((old.KnnPrecision, old.BackbonePrecision), Is.EqualTo((SearchPrecision.Float32, BackbonePrecision.Float32)));
    }

    [TestCase(6, 0.1, 0.05, 1, 0.1, "--kernel must be odd")]
    [TestCase(0, 0.1, 0.05, 1, 0.1, "--kernel must be odd")]
    [TestCase(7, 1.0, 0.05, 1, 0.1, "--threshold must be in [0, 1)")]
    [TestCase(7, 0.1, 0.0, 1, 0.1, "--topk must be in (0, 1]")]
    [TestCase(7, 0.1, 1.5, 1, 0.1, "--topk must be in (0, 1]")]
    [TestCase(7, 0.1, 0.05, 0, 0.1, "--nn must be >= 1")]
    [TestCase(7, 0.1, 0.05, 1, 0.0, "--sampler-ratio must be in (0, 1]")]
    public void Validate_NamesTheBadOption(int kernel, double threshold, double topk, int nn, double ratio, string message)
    {
        var s = new DetectorSettings { Kernel = kernel, Threshold = threshold, TopK = topk, NearestNeighbours = nn, SamplerRatio = ratio };
        var e = Assert.Throws<ArgumentException>(() => s.Validate());
        Assert.That(e!.Message, Does.Contain(message));
    }

    [Test]
    public void Validate_RequiresExactlyOneBackboneSource()
    {
        Assert.Throws<ArgumentException>(() => new DetectorSettings { Backbone = null }.Validate());
        Assert.Throws<ArgumentException>(() => new DetectorSettings { Checkpoint = "x.pth" }.Validate());
        Assert.DoesNotThrow(() => new DetectorSettings { Backbone = null, Checkpoint = "x.pth" }.Validate());
    }

    [TestCase("3-10", new[] { 3, 4, 5, 6, 7, 8, 9, 10 }, "3-10")]
    [TestCase("3,5,7", new[] { 3, 5, 7 }, "3,5,7")]
    [TestCase("1-3, 8", new[] { 1, 2, 3, 8 }, "1-3,8")]
    public void LayerList_ParsesAndFormats(string text, int[] layers, string formatted)
    {
        Assert.That(LayerList.Parse(text), Is.EqualTo(layers));
        Assert.That(LayerList.Format(layers), Is.EqualTo(formatted));
    }

    [TestCase("0-3")]
    [TestCase("5-3")]
    [TestCase("a")]
    [TestCase("3,3")]
    [TestCase("")]
    public void LayerList_RejectsBadText(string text)
    {
        var e = Assert.Throws<ArgumentException>(() => LayerList.Parse(text));
        Assert.That(e!.Message, Does.StartWith("--layers"));
    }
}

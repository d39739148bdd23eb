using NUnit.Framework;
using Uniformaly.Research.Features;
using Uniformaly.Tests.Models;

namespace Uniformaly.Tests.Features;

[TestFixture]
public sealed class PatchFeatureExtractorTests
{
    [TestCase("sq64")]
    [TestCase("g7")]
    [TestCase("rect")]
    [TestCase("quirk")]
    public void Extract_MatchesTheReferenceFeaturesAndClsAttention(string name)
    {
        using var model = VitFixtures.LoadA();
        using var reference = VitFixtures.Reference("reference_a");
        var input = reference[$"{name}/input"];
        // Default attention layer: the last of L.
        using (var features = new PatchFeatureExtractor(model, [2, 3, 4]).Extract(input))
        {
            VitFixtures.AssertClose(features.Features, reference[$"{name}/patch_features_2,3,4"], "P over 2,3,4");
            VitFixtures.AssertClose(features.ClsAttention, reference[$"{name}/cls_attention4"], "CLS attention of block 4");
            Assert.That(features.GridHeight * features.GridWidth, Is.EqualTo(features.Features.Size(1)));
        }
        using (var features = new PatchFeatureExtractor(model, [1, 3], attentionLayer: 2).Extract(input))
        {
            VitFixtures.AssertClose(features.Features, reference[$"{name}/patch_features_1,3"], "P over 1,3");
            VitFixtures.AssertClose(features.ClsAttention, reference[$"{name}/cls_attention2"], "CLS attention of block 2");
        }
    }

    [Test]
    public void Defaults_AreLayers3To10WithAttentionLayer10()
    {
        Assert.That(PatchFeatureExtractor.DefaultLayers, Is.EqualTo(new[] { 3, 4, 5, 6, 7, 8, 9, 10 }));
    }

    [Test]
    public void Constructor_RejectsLayerNumbersTheBackboneDoesNotHave()
    {
        using var model = VitFixtures.LoadA();
        // Depth 4: the paper's default 3..10 does not fit.
        var defaults = Assert.Throws<ArgumentException>(() => new PatchFeatureExtractor(model));
        Assert.That(defaults!.Message, Does.Contain("--layers").And.Contain("5,6,7,8,9,10").And.Contain("1..4"));
        Assert.Throws<ArgumentException>(() => new PatchFeatureExtractor(model, [0, 1]));
        Assert.Throws<ArgumentException>(() => new PatchFeatureExtractor(model, [2, 2]));
        Assert.Throws<ArgumentException>(() => new PatchFeatureExtractor(model, []));
        var attention = Assert.Throws<ArgumentException>(() => new PatchFeatureExtractor(model, [1, 2], attentionLayer: 5));
        Assert.That(attention!.Message, Does.Contain("--attention-layer"));
    }
}

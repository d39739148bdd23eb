using NUnit.Framework;
using Uniformaly.Research.Features;
using Uniformaly.Tests.Models;

namespace Uniformaly.Tests.Features;

[TestFixture]
public sealed class FeatureAggregatorTests
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
        using (var features = new FeatureAggregator(model, [2, 3, 4], 4).Extract(input))
        {
            VitFixtures.AssertClose(features.Features, reference[$"{name}/patch_features_2,3,4"], "P over 2,3,4");
            VitFixtures.AssertClose(features.ClsAttention, reference[$"{name}/cls_attention4"], "CLS attention of block 4");
            Assert.That(features.GridHeight * features.GridWidth, Is.EqualTo(features.Features.Size(1)));
        }
        using (var features = new FeatureAggregator(model, [1, 3], 2).Extract(input))
        {
            VitFixtures.AssertClose(features.Features, reference[$"{name}/patch_features_1,3"], "P over 1,3");
            VitFixtures.AssertClose(features.ClsAttention, reference[$"{name}/cls_attention2"], "CLS attention of block 2");
        }
    }
}

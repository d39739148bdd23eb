using NUnit.Framework;
using Uniformaly.Research.Metrics;

namespace Uniformaly.Tests.Metrics;

public sealed class AuproTests
{
    [Test]
    public void MatchesTheDinomalyReference()
    {
        var fixture = MetricFixture.Root.GetProperty("aupro");
        var masks = fixture.GetProperty("masks").EnumerateArray()
            .Select(m => m.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => (byte)v.GetInt32())).ToArray()).ToList();
        var maps = fixture.GetProperty("maps").EnumerateArray()
            .Select(m => m.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => (float)v.GetDouble())).ToArray()).ToList();
        NumericAssert.Close(Aupro.Compute(maps, masks, 24, 32), fixture.GetProperty("aupro").GetDouble(), Tolerances.Float64Metric(4 * 24 * 32), "AUPRO");
    }

    [Test]
    public void CoarseMapsTiedWithThresholds_MatchTheDinomalyReference()
    {
        // Values on a 0.05 grid: hundreds of pixels equal a threshold exactly, so '>' versus '>=' shows.
        var masks = Masks(MetricFixture.Root.GetProperty("aupro").GetProperty("masks"));
        var fixture = MetricFixture.Root.GetProperty("aupro_coarse");
        var maps = Maps(fixture.GetProperty("maps"));
        NumericAssert.Close(Aupro.Compute(maps, masks, 24, 32), fixture.GetProperty("aupro").GetDouble(), Tolerances.Float64Metric(4 * 24 * 32), "AUPRO");
    }

    [Test]
    public void MapOfTheWrongSize_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Aupro.Compute([new float[3]], [new byte[] { 1, 0, 0, 0 }], 2, 2));
        Assert.That(e!.Message, Does.Contain("map 0 has 3 pixels"));
    }

    private static List<byte[]> Masks(System.Text.Json.JsonElement e) =>
        e.EnumerateArray().Select(m => m.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => (byte)v.GetInt32())).ToArray()).ToList();

    private static List<float[]> Maps(System.Text.Json.JsonElement e) =>
        e.EnumerateArray().Select(m => m.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => (float)v.GetDouble())).ToArray()).ToList();

    [Test]
    public void MapsThatRankRegionsFirst_ScoreHigher()
    {
        // 4x4 image, anomaly in the top-left 2x2; normal pixels carry a ramp of low values.
        byte[] mask = [1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        var good = mask.Select((m, i) => m == 1 ? 2f + i * 0.01f : i * 0.1f).ToArray();
        var bad = mask.Select((m, i) => m == 1 ? i * 0.05f : 1.5f - i * 0.05f).ToArray();
        var goodScore = Aupro.Compute([good], [mask], 4, 4);
        var badScore = Aupro.Compute([bad], [mask], 4, 4);
        Assert.That(goodScore, Is.GreaterThan(0.99).And.LessThanOrEqualTo(1.0));
        Assert.That(badScore, Is.LessThan(goodScore));
    }

    [Test]
    public void MasksWithoutRegions_AreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Aupro.Compute([new float[4]], [new byte[4]], 2, 2));
        Assert.That(e!.Message, Does.Contain("anomalous region"));
    }

    [Test]
    public void ConnectedComponents_UseEightConnectivity()
    {
        // Two diagonal pixels touch (one region); the far pixel is a second region.
        byte[] mask =
        [
            1, 0, 0, 0,
            0, 1, 0, 1,
        ];
        var (labels, count) = ConnectedComponents.Label(mask, 2, 4);
        Assert.That(count, Is.EqualTo(2));
        Assert.That(labels, Is.EqualTo(new[] { 1, 0, 0, 0, 0, 1, 0, 2 }));
    }
}

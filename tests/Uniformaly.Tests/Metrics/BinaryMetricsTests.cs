using NUnit.Framework;
using Uniformaly.Research.Metrics;

namespace Uniformaly.Tests.Metrics;

/// <summary>AUROC, AP and F1-max against sklearn on the committed fixture.</summary>
public sealed class BinaryMetricsTests
{
    private static readonly string[] Cases = ["simple", "ties", "all_same_scores", "random", "pixels"];

    [TestCaseSource(nameof(Cases))]
    public void MatchesSklearn(string name)
    {
        var c = MetricFixture.Case("binary", name);
        var scores = MetricFixture.Floats(c.GetProperty("scores"));
        var labels = MetricFixture.Bytes(c.GetProperty("labels"));
        var tolerance = Tolerances.Float64Metric(scores.Length);
        NumericAssert.Close(BinaryMetrics.RocAuc(scores, labels), c.GetProperty("auroc").GetDouble(), tolerance, "AUROC");
        NumericAssert.Close(BinaryMetrics.AveragePrecision(scores, labels), c.GetProperty("ap").GetDouble(), tolerance, "AP");
        NumericAssert.Close(BinaryMetrics.F1Max(scores, labels), c.GetProperty("f1max").GetDouble(), tolerance, "F1-max");
    }

    [Test]
    public void HandComputedValues()
    {
        // One positive outranks both negatives, the other outranks one: AUROC 3/4.
        float[] scores = [0.1f, 0.4f, 0.35f, 0.8f];
        byte[] labels = [0, 0, 1, 1];
        Assert.That(BinaryMetrics.RocAuc(scores, labels), Is.EqualTo(0.75));
        // P@1 = 1 (R 0.5), P@3 = 2/3 (R 1): AP = 0.5 * 1 + 0.5 * 2/3.
        NumericAssert.Close(BinaryMetrics.AveragePrecision(scores, labels), 0.5 + 1.0 / 3, Tolerances.Float64Metric(4), "AP");
    }

    [Test]
    public void SingleClass_IsUndefined()
    {
        var e = Assert.Throws<ArgumentException>(() => BinaryMetrics.RocAuc([0.1f, 0.2f], [1, 1]));
        Assert.That(e!.Message, Does.Contain("only one class"));
    }

    [Test]
    public void NaNScores_AreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => BinaryMetrics.AveragePrecision([float.NaN, 0.2f], [0, 1]));
        Assert.That(e!.Message, Does.Contain("NaN"));
    }

    [Test]
    public void InfiniteScores_AreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => BinaryMetrics.RocAuc([float.PositiveInfinity, 0.2f], [0, 1]));
        Assert.That(e!.Message, Does.Contain("infinity"));
    }

    [Test]
    public void LabelsOtherThanZeroOrOne_AreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => BinaryMetrics.RocAuc([0.1f, 0.2f], [0, 2]));
        Assert.That(e!.Message, Does.Contain("0 or 1"));
    }

    [Test]
    public void LengthMismatch_IsRejected()
    {
        Assert.Throws<ArgumentException>(() => BinaryMetrics.F1Max([0.1f], [0, 1]));
    }
}

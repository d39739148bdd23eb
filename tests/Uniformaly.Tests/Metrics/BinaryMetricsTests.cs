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

    /// <summary>Few enough thresholds that every point is kept: sklearn's roc_curve (drop_intermediate
    /// False) and precision_recall_curve, point for point; the areas are the metrics themselves.</summary>
    [TestCase("simple")]
    [TestCase("ties")]
    [TestCase("all_same_scores")]
    [TestCase("random")]
    public void Curves_MatchSklearnPointForPoint(string name)
    {
        var c = MetricFixture.Case("binary", name);
        var scores = MetricFixture.Floats(c.GetProperty("scores"));
        var labels = MetricFixture.Bytes(c.GetProperty("labels"));
        var (metrics, curves) = BinaryMetrics.AllWithCurves(scores, labels);
        Assert.That(metrics, Is.EqualTo(BinaryMetrics.All(scores, labels)));
        Assert.That((curves.Auroc, curves.AveragePrecision), Is.EqualTo((metrics.RocAuc, metrics.AveragePrecision)));
        // Rates are ratios of counts: float64 division, the same in both.
        Assert.That(curves.Roc.Select(p => new[] { p.X, p.Y }), Is.EqualTo(MetricFixture.Matrix(c.GetProperty("roc"))).Within(Tolerances.Recomputed), "ROC");
        Assert.That(curves.PrecisionRecall.Select(p => new[] { p.X, p.Y }), Is.EqualTo(MetricFixture.Matrix(c.GetProperty("pr"))).Within(Tolerances.Recomputed), "PR");
    }

    /// <summary>20,000 values with a positive in 20: the curves keep at most 2 points per
    /// 1/Resolution of travel, and the thinned ROC still encloses sklearn's AUROC within 2/Resolution
    /// (each dropped point lies within 1/Resolution of a kept one on both axes).</summary>
    [Test]
    public void Curves_OfManyValues_AreThinnedToTheResolution()
    {
        var c = MetricFixture.Case("binary", "pixels");
        var (_, curves) = BinaryMetrics.AllWithCurves(MetricFixture.Floats(c.GetProperty("scores")), MetricFixture.Bytes(c.GetProperty("labels")));
        Assert.That(curves.Roc, Has.Count.LessThanOrEqualTo(2 * ThresholdCurves.Resolution + 2).And.Count.GreaterThan(ThresholdCurves.Resolution / 2));
        Assert.That(curves.PrecisionRecall, Has.Count.LessThanOrEqualTo(2 * ThresholdCurves.Resolution + 2));
        Assert.That((curves.Roc[0], curves.Roc[^1]), Is.EqualTo(((0.0, 0.0), (1.0, 1.0))));
        var area = curves.Roc.Zip(curves.Roc.Skip(1)).Sum(s => (s.Second.X - s.First.X) * (s.First.Y + s.Second.Y) / 2);
        Assert.That(area, Is.EqualTo(c.GetProperty("auroc").GetDouble()).Within(2.0 / ThresholdCurves.Resolution));
        Assert.That(curves.PrecisionRecall[^1].X, Is.EqualTo(1.0), "the lowest threshold recalls every positive");
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

using System.Text.Json;
using NUnit.Framework;
using Uniformaly.Research.Decisions;
using Uniformaly.Research.Metrics;
using Uniformaly.Tests.Metrics;

namespace Uniformaly.Tests.Decisions;

/// <summary>
/// The statistics behind predict's decisions against numpy and sklearn (fixtures/decisions/decisions.json,
/// written by tools/make_decision_fixtures.py): the conformal threshold and the F1-optimal threshold are
/// scores picked from the input, so they must be equal, not close; the F1 and the normalised score are
/// float64 arithmetic on counts and scores.
/// </summary>
public sealed class DecisionReferenceTests
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(TestSetup.Fixture("decisions", "decisions.json"))));

    private static IEnumerable<JsonElement> Cases(string section) => Document.Value.RootElement.GetProperty(section).EnumerateArray();

    [Test]
    public void ConformalThreshold_IsNumpysInvertedCdfQuantileAtRankK()
    {
        var cases = Cases("conformal").ToList();
        Assert.That(cases, Has.Count.GreaterThan(20));
        foreach (var c in cases)
        {
            var scores = MetricFixture.Floats(c.GetProperty("scores"));
            var rate = c.GetProperty("rate").GetDouble();
            float? expected = c.GetProperty("threshold").ValueKind == JsonValueKind.Null ? null : (float)c.GetProperty("threshold").GetDouble();
            Assert.That(ConformalThreshold.At(scores, rate), Is.EqualTo(expected), $"n={scores.Length}, rate={rate}");
        }
    }

    /// <summary>99 scores promise 1 % exactly (k = 99); the binary product 100 x 0.99 would have asked for a 100th.</summary>
    [Test]
    public void ARateOfOnePercent_NeedsExactly99Scores()
    {
        Assert.That(ConformalThreshold.Rank(99, 0.01), Is.EqualTo(99));
        Assert.That(ConformalThreshold.ImagesFor(0.01), Is.EqualTo(99));
        Assert.That(ConformalThreshold.At(new float[98], 0.01), Is.Null);
    }

    [Test]
    public void F1Optimal_IsSklearnsBestF1AndItsThreshold()
    {
        foreach (var c in Cases("f1"))
        {
            var scores = MetricFixture.Floats(c.GetProperty("scores"));
            var labels = MetricFixture.Bytes(c.GetProperty("labels"));
            var (f1, threshold) = BinaryMetrics.F1Optimal(scores, labels);
            Assert.That(threshold, Is.EqualTo((float)c.GetProperty("threshold").GetDouble()), $"{scores.Length} scores: threshold");
            NumericAssert.Close(f1, c.GetProperty("f1").GetDouble(), Tolerances.Float64Metric(scores.Length), "F1");
            // Labelling the same scores at the threshold gives that F1: the decision and the metric agree.
            var (tp, fp) = (scores.Where((s, i) => s >= threshold && labels[i] == 1).Count(), scores.Where((s, i) => s >= threshold && labels[i] == 0).Count());
            NumericAssert.Close(2.0 * tp / (tp + fp + labels.Count(l => l == 1)), f1, Tolerances.Float64Metric(scores.Length), "F1 of the labels");
            Assert.That(BinaryMetrics.F1Max(scores, labels), Is.EqualTo(f1), "the same walk as F1-max");
        }
    }

    [Test]
    public void Normalise_IsAnomalibsMinMax()
    {
        foreach (var c in Cases("normalise"))
        {
            var range = new ScoreRange((float)c.GetProperty("min").GetDouble(), (float)c.GetProperty("max").GetDouble());
            var threshold = (float)c.GetProperty("threshold").GetDouble();
            var values = MetricFixture.Floats(c.GetProperty("values"));
            var expected = c.GetProperty("normalised").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var ours = values.Select(v => DecisionThresholds.Normalise(v, threshold, range)).ToArray();
            Assert.That(ours, Is.EqualTo(expected).Within(Tolerances.Recomputed), $"threshold {threshold}");
            Assert.That(DecisionThresholds.Normalise(threshold, threshold, range), Is.EqualTo(0.5), "the threshold maps to 0.5");
        }
    }
}

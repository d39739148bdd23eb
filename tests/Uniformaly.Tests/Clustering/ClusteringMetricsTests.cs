using NUnit.Framework;
using Uniformaly.Research.Clustering;
using Uniformaly.Tests.Metrics;

namespace Uniformaly.Tests.Clustering;

public sealed class ClusteringMetricsTests
{
    private static readonly string[] Cases = ["perfect_relabelled", "mixed", "more_clusters", "random"];

    [TestCaseSource(nameof(Cases))]
    public void MatchesSklearn(string name)
    {
        var c = MetricFixture.Case("clustering", name);
        var truth = MetricFixture.Ints(c.GetProperty("truth"));
        var predicted = MetricFixture.Ints(c.GetProperty("predicted"));
        var tolerance = Tolerances.Float64Metric(truth.Length);
        NumericAssert.Close(ClusteringMetrics.Nmi(truth, predicted), c.GetProperty("nmi").GetDouble(), tolerance, "NMI");
        NumericAssert.Close(ClusteringMetrics.Ari(truth, predicted), c.GetProperty("ari").GetDouble(), tolerance, "ARI");
        NumericAssert.Close(ClusteringMetrics.HungarianF1(truth, predicted), c.GetProperty("f1").GetDouble(), tolerance, "F1");
    }

    [Test]
    public void Hungarian_FindsTheCheapestAssignment()
    {
        // Greedy would take (0,0)=1 then (1,1)=10; the optimum is (0,1)+(1,0) = 2 + 3.
        var cost = new double[,] { { 1, 2 }, { 3, 10 } };
        Assert.That(Hungarian.Solve(cost), Is.EqualTo(new[] { 1, 0 }));
        var tall = new double[,] { { 5 }, { 1 }, { 3 } };
        Assert.That(Hungarian.Solve(tall), Is.EqualTo(new[] { -1, 0, -1 }));
    }

    [Test]
    public void MismatchedLengths_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => ClusteringMetrics.Nmi([0, 1], [0]));
    }
}

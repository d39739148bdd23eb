using NUnit.Framework;
using Uniformaly.Research.Clustering;
using Uniformaly.Tests.Metrics;

namespace Uniformaly.Tests.Clustering;

public sealed class KMeansTests
{
    [TestCase("blobs")]
    [TestCase("overlapping")]
    public void FromGivenCentres_MatchesSklearnLloyd(string name)
    {
        var c = MetricFixture.Case("kmeans", name);
        var data = MetricFixture.Matrix(c.GetProperty("data"));
        var init = MetricFixture.Matrix(c.GetProperty("init"));
        var k = c.GetProperty("k").GetInt32();
        var result = new KMeans(k).FitFrom(data, init);
        Assert.That(result.Labels, Is.EqualTo(MetricFixture.Ints(c.GetProperty("labels"))));
        var inertia = c.GetProperty("inertia").GetDouble();
        NumericAssert.Close(result.Inertia, inertia, Tolerances.Float64Metric(data.Length * data[0].Length), "inertia", scale: inertia);
        Assert.That(result.Iterations, Is.EqualTo(c.GetProperty("iterations").GetInt32()));
    }

    [TestCase("blobs")]
    [TestCase("overlapping")]
    public void KMeansPlusPlusWithRestarts_IsAsGoodAsSklearns(string name)
    {
        var c = MetricFixture.Case("kmeans", name);
        var data = MetricFixture.Matrix(c.GetProperty("data"));
        var k = c.GetProperty("k").GetInt32();
        var best = new KMeans(k, restarts: 10, seed: 3).Fit(data);
        var single = new KMeans(k, restarts: 1, seed: 3).Fit(data);
        Assert.That(best.Inertia, Is.LessThanOrEqualTo(single.Inertia), "the best of 10 restarts is no worse than the first");
        Assert.That(best.Inertia, Is.LessThanOrEqualTo(1.01 * c.GetProperty("best_inertia_kmeanspp").GetDouble()));
        Assert.That(new KMeans(k, restarts: 10, seed: 3).Fit(data).Labels, Is.EqualTo(best.Labels), "seeded runs repeat");
    }

    [Test]
    public void MoreClustersThanPoints_IsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => new KMeans(5).Fit([[0.0], [1.0]]));
        Assert.That(e!.Message, Does.Contain("k = 5").And.Contain("only 2 images"));
    }

    [Test]
    public void EmptyCluster_TakesTheFarthestPoint()
    {
        // The third centre is far from every point, so its cluster starts empty.
        double[][] data = [[0.0], [0.1], [10.0], [10.2], [30.0]];
        var result = new KMeans(3).FitFrom(data, [[0.0], [10.0], [1000.0]]);
        Assert.That(result.Labels.Distinct().Count(), Is.EqualTo(3));
        Assert.That(result.Labels[4], Is.Not.EqualTo(result.Labels[2]), "the farthest point (30) founds the empty cluster");
    }
}

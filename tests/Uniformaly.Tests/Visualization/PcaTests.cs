using NUnit.Framework;
using Uniformaly.Research.Visualization;
using Uniformaly.Tests.Metrics;

namespace Uniformaly.Tests.Visualization;

public sealed class PcaTests
{
    [Test]
    public void Pca_MatchesSklearn_IncludingSigns()
    {
        var fixture = MetricFixture.Root.GetProperty("pca");
        var data = MetricFixture.Matrix(fixture.GetProperty("data"));
        var expected = MetricFixture.Matrix(fixture.GetProperty("projection"));
        var actual = Pca.Project2D(data);
        for (var i = 0; i < data.Length; i++)
        {
            Assert.That(actual[i].X, Is.EqualTo(expected[i][0]).Within(1e-6), $"point {i} x");
            Assert.That(actual[i].Y, Is.EqualTo(expected[i][1]).Within(1e-6), $"point {i} y");
        }
    }
}

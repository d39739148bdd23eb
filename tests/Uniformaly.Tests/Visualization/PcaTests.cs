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
        var scale = expected.Max(p => Math.Max(Math.Abs(p[0]), Math.Abs(p[1])));
        var error = Enumerable.Range(0, data.Length).Max(i => Math.Max(Math.Abs(actual[i].X - expected[i][0]), Math.Abs(actual[i].Y - expected[i][1])));
        NumericAssert.Within(error / scale, Tolerances.Pca, "projection");
    }
}

using System.Xml.Linq;
using NUnit.Framework;
using Uniformaly.Research.Visualization;
using Uniformaly.Tests.Metrics;

namespace Uniformaly.Tests.Visualization;

public sealed class PcaAndScatterTests
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

    [Test]
    public void Scatter_IsValidSvgWithAPointPerImageAndALegendEntryPerCluster()
    {
        var svg = ScatterPlot.Render("bottle <k=2> & more", [(0, 0), (1, 2), (3, 1)], [0, 1, 1], ["cluster 0", "cluster 1"]);
        var document = XDocument.Parse(svg);
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.That(document.Descendants(ns + "circle").Count(), Is.EqualTo(3 + 2));
        Assert.That(document.Descendants(ns + "text").Select(t => t.Value), Does.Contain("bottle <k=2> & more").And.Contain("cluster 1"));
    }

    [Test]
    public void Scatter_OfIdenticalPoints_StaysInsideThePlot()
    {
        var svg = ScatterPlot.Render("same", [(1, 1), (1, 1)], [0, 0], ["c"]);
        Assert.That(svg, Does.Not.Contain("NaN").And.Not.Contain("Infinity"));
    }
}

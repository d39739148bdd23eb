using System.Globalization;
using System.Xml.Linq;
using NUnit.Framework;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Tests.Visualization;

public sealed class LineChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static readonly string[] KernelSizes = ["1", "3", "5", "7", "9", "11", "13"];

    private static string KernelSizeChart() => LineChart.RenderCategorical("Table 9: kernel size n", "kernel size n", "image AUROC (%)", KernelSizes,
    [
        new LineSeries("defect (ours)", [92.5, 98.0, 99.1, 99.3, 99.2, 99.3, 99.3], LineStyle.Solid, 0),
        new LineSeries("defect (paper)", [93.00, 98.15, 99.31, 99.32, 99.25, 99.33, 99.35], LineStyle.Dashed, 0),
    ]);

    [Test]
    public void Categorical_IsWellFormedWithALinePerSeriesAndALegendEntryEach()
    {
        var document = XDocument.Parse(KernelSizeChart());
        var series = document.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "series").ToList();
        Assert.That(series, Has.Count.EqualTo(2));
        Assert.That(series.Select(s => s.Elements(Svg + "polyline").Count()), Is.EqualTo(new[] { 1, 1 }));
        Assert.That(series.Select(s => s.Elements(Svg + "circle").Count()), Is.EqualTo(new[] { 7, 7 }));
        Assert.That(document.Root!.Attribute("viewBox")!.Value, Is.EqualTo("0 0 760 460"));
        var legend = document.Descendants(Svg + "g").Where(g => (string?)g.Attribute("class") == "legend-entry").ToList();
        Assert.That(legend.Select(g => g.Element(Svg + "text")!.Value), Is.EqualTo(new[] { "defect (ours)", "defect (paper)" }));
        // Ours solid, the paper's dashed, both in the same colour.
        Assert.That(series[0].Element(Svg + "polyline")!.Attribute("stroke-dasharray"), Is.Null);
        Assert.That(series[1].Element(Svg + "polyline")!.Attribute("stroke-dasharray"), Is.Not.Null);
        Assert.That(series[1].Attribute("stroke")!.Value, Is.EqualTo(series[0].Attribute("stroke")!.Value));
        Assert.That(XTickLabels(document), Is.EqualTo(KernelSizes));
        Assert.That(YTickLabels(document), Is.EqualTo(new[] { "92", "94", "96", "98", "100" }));
    }

    [Test]
    public void MissingValues_LeaveAGapAndAreNotDrawnAtZero()
    {
        var document = XDocument.Parse(LineChart.RenderCategorical("gaps", "x", "y", ["a", "b", "c", "d", "e", "f"],
            [new LineSeries("s", [double.NaN, 97, 98, double.NaN, 96, 99])]));
        var group = document.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "series");
        Assert.That(group.Elements(Svg + "polyline").Select(p => p.Attribute("points")!.Value.Split(' ').Length), Is.EqualTo(new[] { 2, 2 }));
        Assert.That(group.Elements(Svg + "circle").Count(), Is.EqualTo(4));
        // The y axis spans the finite values only; 0 would lie far outside it.
        Assert.That(YTickLabels(document), Is.EqualTo(new[] { "96", "97", "98", "99" }));
        var plotBottom = 460 - 60;
        Assert.That(group.Elements(Svg + "circle").Select(c => double.Parse(c.Attribute("cy")!.Value, CultureInfo.InvariantCulture)), Has.All.LessThanOrEqualTo(plotBottom));
    }

    [Test]
    public void LogX_PlacesTheSweepEndsOnTheAxisEndsAndTicksAtOneTwoFive()
    {
        var document = XDocument.Parse(LineChart.Render("Fig. 7", "top k-ratio (%)", "AUROC (%)", [0.1, 1, 5, 10, 20],
            [new LineSeries("defect", [97.0, 99.0, 99.3, 99.2, 99.0])], logX: true));
        Assert.That(XTickLabels(document), Is.EqualTo(new[] { "0.1", "0.2", "0.5", "1", "2", "5", "10", "20" }));
        var cx = document.Descendants(Svg + "circle").Where(c => c.Parent!.Attribute("class")!.Value == "series")
            .Select(c => double.Parse(c.Attribute("cx")!.Value, CultureInfo.InvariantCulture)).ToList();
        Assert.That(cx[0], Is.EqualTo(70.0));
        Assert.That(cx[^1], Is.EqualTo(70.0 + 480));
        // x = 1 lies (log10 1 - log10 0.1) / (log10 20 - log10 0.1) of the way along the axis.
        Assert.That(cx[1], Is.EqualTo(70 + 480 * 1 / (Math.Log10(20) + 1)).Within(Tolerances.SvgCoordinate));
    }

    [Test]
    public void Text_IsEscapedAndNumbersIgnoreTheCurrentCulture()
    {
        var previous = CultureInfo.CurrentCulture;
        // A culture with a decimal comma (the tests run in globalization-invariant mode, so no named culture).
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        CultureInfo.CurrentCulture = comma;
        try
        {
            var svg = LineChart.Render("k < 5 & \"soft\"", "x <", "y &", [0.5, 1.5], [new LineSeries("a&b", [0.25, 0.75])]);
            var document = XDocument.Parse(svg);
            Assert.That(document.Descendants(Svg + "text").Select(t => t.Value), Does.Contain("k < 5 & \"soft\"").And.Contain("a&b").And.Contain("x <"));
            Assert.That(svg, Does.Contain("&lt;").And.Contain("&amp;"));
            var points = document.Descendants(Svg + "polyline").Single().Attribute("points")!.Value;
            Assert.That(points, Does.Match(@"^\d+\.\d,\d+\.\d \d+\.\d,\d+\.\d$"));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Test]
    public void BadInput_NamesTheSeries()
    {
        var error = Assert.Throws<ArgumentException>(() => LineChart.RenderCategorical("t", "x", "y", ["a", "b"], [new LineSeries("paper", [1.0])]));
        Assert.That(error!.Message, Does.Contain("paper"));
        Assert.Throws<ArgumentOutOfRangeException>(() => LineChart.Render("t", "x", "y", [0, 1], [new LineSeries("s", [1.0, 2.0])], logX: true));
    }

    [Test]
    public void Write_StoresTheSvgAtomically()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "plots", "table9.svg");
        LineChart.Write(path, KernelSizeChart());
        Assert.That(File.ReadAllText(path), Is.EqualTo(KernelSizeChart()));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!), Has.Length.EqualTo(1));
    }

    [Test]
    public void LongLegendLabels_WidenTheCanvasInsteadOfBeingCut()
    {
        var name = new string('m', 60);
        var document = XDocument.Parse(LineChart.RenderCategorical("t", "x", "y", ["a", "b"], [new LineSeries(name, [1.0, 2.0])]));
        var width = double.Parse(document.Root!.Attribute("width")!.Value, CultureInfo.InvariantCulture);
        Assert.That(width, Is.GreaterThanOrEqualTo(70 + 480 + 20 + 36 + 60 * 7.0));
    }

    [Test]
    public void Palette_HasAtLeastTenDistinctColours()
    {
        Assert.That(ScatterPlot.Palette.Distinct().Count(), Is.GreaterThanOrEqualTo(10).And.EqualTo(ScatterPlot.Palette.Length));
    }

    private static List<string> XTickLabels(XDocument document) =>
        document.Descendants(Svg + "text").Where(t => (string?)t.Attribute("text-anchor") == "middle" && t.Attribute("font-size")!.Value == "12").Select(t => t.Value).ToList();

    private static List<string> YTickLabels(XDocument document) =>
        document.Descendants(Svg + "text").Where(t => (string?)t.Attribute("text-anchor") == "end").Select(t => t.Value).ToList();
}

using System.Globalization;
using System.Security;
using System.Text;
using Uniformaly.Research.Common;

namespace Uniformaly.Research.Visualization;

/// <summary>How a series' line is drawn: our measurements solid, the paper's numbers dashed.</summary>
public enum LineStyle { Solid, Dashed }

/// <summary>One line of a <see cref="LineChart"/>.</summary>
/// <param name="Name">Legend label.</param>
/// <param name="Values">One y value per x position; NaN marks a missing value (a gap in the line).</param>
/// <param name="Style">Solid (ours) or dashed (the paper).</param>
/// <param name="ColorIndex">Index into <see cref="ScatterPlot.Palette"/>; null takes the series'
/// position. Give ours and the paper's series of one setting the same index.</param>
public sealed record LineSeries(string Name, IReadOnlyList<double> Values, LineStyle Style = LineStyle.Solid, int? ColorIndex = null);

/// <summary>
/// Line charts as standalone SVG: several series with markers and a legend, x numeric (linear or
/// log) or categorical, y linear with round tick values from <see cref="NiceTicks"/>.
/// </summary>
public static class LineChart
{
    private const int Left = 70, Top = 50, Bottom = 60, PlotWidth = 480, PlotHeight = 350;
    private const int LegendLeft = Left + PlotWidth + 20, LegendRowHeight = 22;

    /// <summary>Rough width of a 12 px sans-serif character, to size the canvas to the legend.</summary>
    private const double CharacterWidth = 7.0;

    /// <summary>A chart over numeric x values (e.g. the top k-ratio in percent).</summary>
    /// <param name="title">Drawn above the plot; titles and labels are XML-escaped.</param>
    /// <param name="xLabel">Label of the x axis.</param>
    /// <param name="yLabel">Label of the y axis (e.g. "image AUROC (%)").</param>
    /// <param name="x">The x value of each position, shared by every series.</param>
    /// <param name="series">The lines; each has one value per x.</param>
    /// <param name="logX">Log-scaled x axis; every x must then be positive.</param>
    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<double> x, IReadOnlyList<LineSeries> series, bool logX = false)
    {
        if (x.Count == 0 || x.Any(v => !double.IsFinite(v))) throw new ArgumentException("x needs at least one finite value and no NaN", nameof(x));
        var ticks = logX ? NiceTicks.Log(x.Min(), x.Max()) : NiceTicks.Linear(x.Min(), x.Max());
        Func<double, double> position = logX
            ? v => (Math.Log10(v) - Math.Log10(ticks[0])) / (Math.Log10(ticks[^1]) - Math.Log10(ticks[0]))
            : v => (v - ticks[0]) / (ticks[^1] - ticks[0]);
        var xTicks = ticks.Select(t => (position(t), Label(t))).ToList();
        return Draw(title, xLabel, yLabel, x.Select(position).ToList(), xTicks, series);
    }

    /// <summary>A chart over categories drawn at equal spacing (e.g. kernel sizes, lambda values).</summary>
    public static string RenderCategorical(string title, string xLabel, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<LineSeries> series)
    {
        if (categories.Count == 0) throw new ArgumentException("at least one category is needed", nameof(categories));
        var positions = Enumerable.Range(0, categories.Count).Select(i => (i + 0.5) / categories.Count).ToList();
        return Draw(title, xLabel, yLabel, positions, positions.Zip(categories).ToList(), series);
    }

    /// <summary>Writes an SVG produced by this class (or <see cref="ScatterPlot"/>) atomically.</summary>
    public static void Write(string path, string svg) => AtomicFile.WriteAllText(path, svg);

    /// <summary>Draws the chart once the x positions are known as fractions of the plot width:
    /// <paramref name="x"/> for the values, <paramref name="xTicks"/> for the labelled ticks.</summary>
    private static string Draw(string title, string xLabel, string yLabel, IReadOnlyList<double> x, IReadOnlyList<(double Position, string Label)> xTicks, IReadOnlyList<LineSeries> series)
    {
        if (series.Count == 0) throw new ArgumentException("at least one series is needed", nameof(series));
        foreach (var s in series)
            if (s.Values.Count != x.Count) throw new ArgumentException($"series '{s.Name}' has {s.Values.Count} values for {x.Count} x positions", nameof(series));
        var finite = series.SelectMany(s => s.Values).Where(double.IsFinite).ToList();
        var yTicks = finite.Count == 0 ? [0, 1] : NiceTicks.Linear(finite.Min(), finite.Max());
        double Px(double position) => Left + position * PlotWidth;
        double Py(double value) => Top + PlotHeight - (value - yTicks[0]) / (yTicks[^1] - yTicks[0]) * PlotHeight;

        var width = (int)Math.Ceiling(Math.Max(Left + PlotWidth + 210, LegendLeft + 46 + CharacterWidth * series.Max(s => s.Name.Length)));
        var height = Math.Max(Top + PlotHeight + Bottom, Top + LegendRowHeight * series.Count + 20);
        var svg = new StringBuilder();
        Header(svg, width, height, title, xLabel, yLabel);
        foreach (var (position, label) in xTicks)
            Append(svg, $"<line x1=\"{Px(position):F1}\" y1=\"{Top}\" x2=\"{Px(position):F1}\" y2=\"{Top + PlotHeight}\" stroke=\"#e4e4e4\"/><text x=\"{Px(position):F1}\" y=\"{Top + PlotHeight + 18}\" text-anchor=\"middle\" font-size=\"12\">{Escape(label)}</text>\n");
        foreach (var tick in yTicks)
            Append(svg, $"<line x1=\"{Left}\" y1=\"{Py(tick):F1}\" x2=\"{Left + PlotWidth}\" y2=\"{Py(tick):F1}\" stroke=\"#e4e4e4\"/><text x=\"{Left - 8}\" y=\"{Py(tick) + 4:F1}\" text-anchor=\"end\" font-size=\"12\">{Label(tick)}</text>\n");
        Append(svg, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{PlotWidth}\" height=\"{PlotHeight}\" fill=\"none\" stroke=\"#444\"/>\n");
        for (var i = 0; i < series.Count; i++)
            DrawSeries(svg, series[i], Color(series[i], i), x.Select(Px).ToList(), Py);
        DrawLegend(svg, series);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>The canvas is <paramref name="width"/> x <paramref name="height"/> px: the fixed plot area plus room for the legend.</summary>
    private static void Header(StringBuilder svg, int width, int height, string title, string xLabel, string yLabel)
    {
        Append(svg, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\">\n");
        Append(svg, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        Append(svg, $"<text x=\"{Left + PlotWidth / 2}\" y=\"30\" text-anchor=\"middle\" font-size=\"16\">{Escape(title)}</text>\n");
        Append(svg, $"<text x=\"{Left + PlotWidth / 2}\" y=\"{Top + PlotHeight + 45}\" text-anchor=\"middle\" font-size=\"13\">{Escape(xLabel)}</text>\n");
        Append(svg, $"<text x=\"18\" y=\"{Top + PlotHeight / 2}\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 18 {Top + PlotHeight / 2})\">{Escape(yLabel)}</text>\n");
    }

    /// <summary>One polyline per run of finite values, so a missing value leaves a gap, and a marker per value.</summary>
    private static void DrawSeries(StringBuilder svg, LineSeries series, string color, IReadOnlyList<double> px, Func<double, double> py)
    {
        Append(svg, $"<g class=\"series\" stroke=\"{color}\" fill=\"{color}\">\n");
        var run = new List<string>();
        for (var i = 0; i <= px.Count; i++)
        {
            if (i < px.Count && double.IsFinite(series.Values[i]))
            {
                run.Add(string.Create(CultureInfo.InvariantCulture, $"{px[i]:F1},{py(series.Values[i]):F1}"));
                continue;
            }
            if (run.Count > 1)
                Append(svg, $"<polyline points=\"{string.Join(' ', run)}\" fill=\"none\" stroke-width=\"2\"{Dash(series.Style)}/>\n");
            run.Clear();
        }
        for (var i = 0; i < px.Count; i++)
            if (double.IsFinite(series.Values[i]))
                Append(svg, $"<circle cx=\"{px[i]:F1}\" cy=\"{py(series.Values[i]):F1}\" r=\"3.5\"{Hollow(series.Style)}/>\n");
        svg.Append("</g>\n");
    }

    private static void DrawLegend(StringBuilder svg, IReadOnlyList<LineSeries> series)
    {
        const int x = LegendLeft;
        for (var i = 0; i < series.Count; i++)
        {
            var y = Top + 12 + LegendRowHeight * i;
            var color = Color(series[i], i);
            Append(svg, $"<g class=\"legend-entry\" stroke=\"{color}\" fill=\"{color}\"><line x1=\"{x}\" y1=\"{y}\" x2=\"{x + 28}\" y2=\"{y}\" stroke-width=\"2\"{Dash(series[i].Style)}/><circle cx=\"{x + 14}\" cy=\"{y}\" r=\"3.5\"{Hollow(series[i].Style)}/>");
            Append(svg, $"<text x=\"{x + 36}\" y=\"{y + 4}\" font-size=\"12\" stroke=\"none\" fill=\"#222\">{Escape(series[i].Name)}</text></g>\n");
        }
    }

    private static string Color(LineSeries series, int index) => ScatterPlot.Palette[(series.ColorIndex ?? index) % ScatterPlot.Palette.Length];

    private static string Dash(LineStyle style) => style == LineStyle.Dashed ? " stroke-dasharray=\"6 4\"" : "";

    /// <summary>The paper's markers are hollow so that they stay visible under ours.</summary>
    private static string Hollow(LineStyle style) => style == LineStyle.Dashed ? " fill=\"white\" stroke-width=\"1.5\"" : "";

    private static string Label(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string Escape(string text) => SecurityElement.Escape(text);

    private static void Append(StringBuilder svg, FormattableString text) => svg.Append(text.ToString(CultureInfo.InvariantCulture));
}

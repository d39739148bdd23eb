using System.Globalization;
using ScottPlot;

namespace Uniformaly.Research.Visualization;

/// <summary>How a series' line is drawn: our measurements solid, the paper's numbers dashed.</summary>
public enum LineStyle { Solid, Dashed }

/// <summary>One line of a <see cref="SweepChart"/>.</summary>
/// <param name="Name">Legend label.</param>
/// <param name="Values">One y value per swept value; NaN marks a missing value (a gap in the line).</param>
/// <param name="Style">Solid (ours) or dashed (the paper).</param>
/// <param name="ColorIndex">Index into <see cref="Figure.Colour"/>; null takes the series' position.
/// Give ours and the paper's series of one task the same index.</param>
public sealed record LineSeries(string Name, IReadOnlyList<double> Values, LineStyle Style = LineStyle.Solid, int? ColorIndex = null);

/// <summary>The x axis of a sweep: one labelled tick at each swept value, and nowhere else.</summary>
/// <param name="Title">Axis title, with its unit.</param>
/// <param name="Labels">The tick label of each swept value.</param>
/// <param name="Positions">Where each swept value sits on the axis.</param>
public sealed record SweepAxis(string Title, IReadOnlyList<string> Labels, IReadOnlyList<double> Positions)
{
    /// <summary>Values that are not numbers (e.g. masking modes), at equal spacing.</summary>
    public static SweepAxis Categorical(string title, IReadOnlyList<string> values) =>
        new(title, values, [.. Enumerable.Range(0, values.Count).Select(i => (double)i)]);

    /// <summary>Numbers at their values, or at their logarithms (every value must then be positive).</summary>
    public static SweepAxis Numeric(string title, IReadOnlyList<double> values, bool log)
    {
        if (values.Any(v => !double.IsFinite(v) || (log && v <= 0)))
            throw new ArgumentException($"axis '{title}': every value must be finite{(log ? " and positive on a log axis" : "")}", nameof(values));
        return new(title, [.. values.Select(v => v.ToString("G6", CultureInfo.InvariantCulture))], [.. values.Select(v => log ? Math.Log10(v) : v)]);
    }
}

/// <summary>A swept parameter against a metric: one line with markers per series, a legend, ticks at the swept values.</summary>
public static class SweepChart
{
    public static Plot Create(string title, SweepAxis x, string yTitle, IReadOnlyList<LineSeries> series)
    {
        if (x.Labels.Count == 0 || x.Labels.Count != x.Positions.Count) throw new ArgumentException("the axis needs one label per position, at least one", nameof(x));
        if (series.Count == 0) throw new ArgumentException("at least one series is needed", nameof(series));
        foreach (var s in series)
            if (s.Values.Count != x.Positions.Count) throw new ArgumentException($"series '{s.Name}' has {s.Values.Count} values for {x.Positions.Count} swept values", nameof(series));
        var plot = Figure.Create(title);
        plot.XLabel(x.Title);
        plot.YLabel(yTitle);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. x.Positions], [.. x.Labels]);
        for (var i = 0; i < series.Count; i++) AddSeries(plot, series[i], x.Positions, Figure.Colour(series[i].ColorIndex ?? i));
        plot.Axes.Margins(horizontal: 0.06, vertical: 0.12);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    /// <summary>One scatter per run of finite values, so a missing value leaves a gap; the legend entry comes from the first.</summary>
    private static void AddSeries(Plot plot, LineSeries series, IReadOnlyList<double> positions, Color colour)
    {
        var legend = series.Name;
        foreach (var run in FiniteRuns(series.Values))
        {
            var line = plot.Add.Scatter(run.Select(i => positions[i]).ToArray(), run.Select(i => series.Values[i]).ToArray(), colour);
            line.LineWidth = 2;
            line.MarkerSize = 8;
            line.LinePattern = series.Style == LineStyle.Dashed ? LinePattern.Dashed : LinePattern.Solid;
            // The paper's markers are hollow, so that ours stay visible where the values agree.
            line.MarkerShape = series.Style == LineStyle.Dashed ? MarkerShape.OpenCircle : MarkerShape.FilledCircle;
            line.LegendText = legend;
            legend = "";
        }
    }

    private static IEnumerable<List<int>> FiniteRuns(IReadOnlyList<double> values)
    {
        var run = new List<int>();
        for (var i = 0; i <= values.Count; i++)
        {
            if (i < values.Count && double.IsFinite(values[i])) { run.Add(i); continue; }
            if (run.Count > 0) yield return run;
            run = [];
        }
    }
}

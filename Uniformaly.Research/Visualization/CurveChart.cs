using System.Globalization;
using ScottPlot;
using Uniformaly.Research.Metrics;

namespace Uniformaly.Research.Visualization;

/// <summary>One level's curves in a <see cref="CurveChart"/>: "image" or "pixel".</summary>
public sealed record CurveSet(string Level, ThresholdCurves Curves);

/// <summary>ROC and precision-recall curves, one line per level, the area under each in the legend.</summary>
public static class CurveChart
{
    public const int Width = 560, Height = 500;

    /// <summary>True against false positive rate, with the chance diagonal.</summary>
    public static Plot Roc(string title, IReadOnlyList<CurveSet> sets)
    {
        var plot = Create(title, "false positive rate", "true positive rate", sets,
            s => s.Curves.Roc, s => $"{s.Level} (AUROC {Percent(s.Curves.Auroc)})", Alignment.LowerRight);
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.Color = Colors.Gray;
        chance.LinePattern = LinePattern.Dashed;
        chance.LegendText = "chance";
        return plot;
    }

    /// <summary>Precision against recall.</summary>
    public static Plot PrecisionRecall(string title, IReadOnlyList<CurveSet> sets) =>
        Create(title, "recall", "precision", sets, s => s.Curves.PrecisionRecall, s => $"{s.Level} (AP {Percent(s.Curves.AveragePrecision)})",
            Alignment.LowerLeft);

    private static Plot Create(string title, string xTitle, string yTitle, IReadOnlyList<CurveSet> sets,
        Func<CurveSet, IReadOnlyList<(double X, double Y)>> points, Func<CurveSet, string> legend, Alignment legendCorner)
    {
        if (sets.Count == 0) throw new ArgumentException("at least one curve is needed", nameof(sets));
        var plot = Figure.Create(title);
        plot.XLabel(xTitle);
        plot.YLabel(yTitle);
        for (var i = 0; i < sets.Count; i++)
        {
            var curve = points(sets[i]);
            var line = plot.Add.ScatterLine(curve.Select(p => p.X).ToArray(), curve.Select(p => p.Y).ToArray(), Figure.Colour(i));
            line.LineWidth = 2;
            line.LegendText = legend(sets[i]);
        }
        plot.Axes.SetLimits(-0.02, 1.02, -0.02, 1.02);
        plot.ShowLegend(legendCorner);
        return plot;
    }

    private static string Percent(double value) => (100 * value).ToString("F2", CultureInfo.InvariantCulture) + " %";
}

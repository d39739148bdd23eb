using ScottPlot;

namespace Uniformaly.Research.Visualization;

/// <summary>One image in a <see cref="ClusterScatter"/>: where it falls, its cluster and its true anomaly type.</summary>
public sealed record ClusterPoint(double X, double Y, int Cluster, string Type);

/// <summary>
/// A clustering drawn in two dimensions: colour by cluster, marker shape by true anomaly type, so a
/// cluster that mixes types shows several shapes in one colour. The legend lists both.
/// </summary>
public static class ClusterScatter
{
    public const int Width = 720, Height = 520;

    private static readonly MarkerShape[] Shapes =
    [
        MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond,
        MarkerShape.FilledTriangleDown, MarkerShape.OpenCircle, MarkerShape.OpenSquare, MarkerShape.OpenTriangleUp,
        MarkerShape.OpenDiamond, MarkerShape.Cross, MarkerShape.Eks, MarkerShape.Asterisk,
    ];

    /// <param name="title">Above the plot.</param>
    /// <param name="xTitle">Axis titles, e.g. "principal component 1".</param>
    /// <param name="yTitle">Axis titles, e.g. "principal component 2".</param>
    /// <param name="points">One per image.</param>
    /// <param name="clusters">Number of clusters: every index below it gets a legend entry.</param>
    public static Plot Create(string title, string xTitle, string yTitle, IReadOnlyList<ClusterPoint> points, int clusters)
    {
        if (points.Any(p => p.Cluster < 0 || p.Cluster >= clusters))
            throw new ArgumentException($"cluster indices must lie in [0, {clusters})", nameof(points));
        var types = points.Select(p => p.Type).Distinct().Order(StringComparer.Ordinal).ToList();
        var plot = Figure.Create(title);
        plot.XLabel(xTitle);
        plot.YLabel(yTitle);
        foreach (var group in points.GroupBy(p => (p.Cluster, p.Type)))
        {
            var markers = plot.Add.Markers(group.Select(p => p.X).ToArray(), group.Select(p => p.Y).ToArray(),
                Shape(types.IndexOf(group.Key.Type)), 9, Figure.Colour(group.Key.Cluster));
            markers.MarkerLineWidth = 1.5f;
        }
        plot.Legend.ManualItems.AddRange(Enumerable.Range(0, clusters).Select(k =>
            Entry($"cluster {k}", MarkerShape.FilledCircle, Figure.Colour(k))));
        plot.Legend.ManualItems.AddRange(types.Select((type, i) => Entry(type, Shape(i), Colors.Gray)));
        plot.Axes.Margins(0.08, 0.08);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static MarkerShape Shape(int type) => Shapes[type % Shapes.Length];

    private static LegendItem Entry(string label, MarkerShape shape, Color colour) => new()
    {
        LabelText = label,
        MarkerShape = shape,
        MarkerSize = 9,
        MarkerFillColor = colour,
        MarkerLineColor = colour,
        MarkerLineWidth = 1.5f,
    };
}

using System.Globalization;
using System.Security;
using System.Text;

namespace Uniformaly.Research.Visualization;

/// <summary>A 2-D scatter of points coloured by group (cluster), as a standalone SVG.</summary>
public static class ScatterPlot
{
    /// <summary>Twenty distinguishable colours (matplotlib's tab10, then the light halves of tab20),
    /// cycled; the first ten are the strongest, so small cluster counts get them.</summary>
    public static readonly string[] Palette =
    [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
        "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
    ];

    private const int Width = 640, Height = 480, Margin = 50, LegendWidth = 140;

    /// <param name="title">Drawn above the plot (escaped).</param>
    /// <param name="points">Coordinates in any units; the plot fits them.</param>
    /// <param name="groups">Group index of each point.</param>
    /// <param name="groupNames">Legend label of each group index.</param>
    public static string Render(string title, IReadOnlyList<(double X, double Y)> points, IReadOnlyList<int> groups, IReadOnlyList<string> groupNames)
    {
        if (points.Count != groups.Count) throw new ArgumentException($"{points.Count} points but {groups.Count} groups");
        var (x0, x1) = Range(points.Select(p => p.X));
        var (y0, y1) = Range(points.Select(p => p.Y));
        var plotWidth = Width - 2 * Margin - LegendWidth;
        var plotHeight = Height - 2 * Margin;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\">\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"28\" text-anchor=\"middle\" font-size=\"16\">{SecurityElement.Escape(title)}</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Margin}\" y=\"{Margin}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#444\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Margin + plotWidth / 2}\" y=\"{Height - 15}\" text-anchor=\"middle\" font-size=\"12\">principal component 1</text>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"15\" y=\"{Margin + plotHeight / 2}\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 15 {Margin + plotHeight / 2})\">principal component 2</text>\n");
        for (var i = 0; i < points.Count; i++)
        {
            var cx = Margin + (points[i].X - x0) / (x1 - x0) * plotWidth;
            var cy = Margin + plotHeight - (points[i].Y - y0) / (y1 - y0) * plotHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{cx:F1}\" cy=\"{cy:F1}\" r=\"4\" fill=\"{Palette[groups[i] % Palette.Length]}\" fill-opacity=\"0.8\"/>\n");
        }
        for (var g = 0; g < groupNames.Count; g++)
        {
            var ly = Margin + 10 + 20 * g;
            var lx = Width - LegendWidth - Margin / 2 + 10;
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{lx}\" cy=\"{ly}\" r=\"5\" fill=\"{Palette[g % Palette.Length]}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{lx + 12}\" y=\"{ly + 4}\" font-size=\"12\">{SecurityElement.Escape(groupNames[g])}</text>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>The data range widened by 5 % each side (and to a unit span when all values agree).</summary>
    private static (double Min, double Max) Range(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count == 0) return (0, 1);
        var (min, max) = (list.Min(), list.Max());
        if (max - min < 1e-12) return (min - 0.5, max + 0.5);
        var pad = (max - min) * 0.05;
        return (min - pad, max + pad);
    }
}

using ScottPlot;

namespace Uniformaly.Research.Visualization;

/// <summary>One picture of a <see cref="HeatmapSheet"/>: a square image with its anomaly map over it.</summary>
/// <param name="Rgb">The image as the model saw it: Size x Size RGB bytes, row-major.</param>
/// <param name="Map">The anomaly map, Size x Size.</param>
/// <param name="Mask">The ground truth or the predicted defect mask (1 = anomalous), Size x Size, or null; drawn as an outline.</param>
/// <param name="Caption">Drawn under the picture (the image score goes here); may hold a line break.</param>
public sealed record HeatmapPanel(byte[] Rgb, float[] Map, byte[]? Mask, string Caption);

/// <summary>
/// Heatmap overlays as one figure: rows of pictures, each the jet-coloured map blended over its
/// image (<see cref="Heatmap.Overlay"/>) with the ground-truth outline (<see cref="Heatmap.DrawOutline"/>) and a caption, and one colour
/// bar for the shared scale. One pixel of the figure per pixel of the image.
/// </summary>
public static class HeatmapSheet
{
    private const int Gap = 12, CaptionHeight = 34, Left = 12, Top = 48, Right = 110, Bottom = 8;
    private const float CaptionFontSize = 11;

    /// <summary>The figure and its size in pixels.</summary>
    /// <param name="title">Above the pictures.</param>
    /// <param name="size">Side of every image and map.</param>
    /// <param name="rows">The pictures, row by row; rows may differ in length.</param>
    /// <param name="min">Score at the cold end of the colour scale.</param>
    /// <param name="max">Score at the hot end.</param>
    /// <param name="colourBarLabel">What the colour bar's values are.</param>
    public static (Plot Plot, int Width, int Height) Create(string title, int size, IReadOnlyList<IReadOnlyList<HeatmapPanel>> rows, float min, float max,
        string colourBarLabel = "anomaly score")
    {
        var columns = rows.Count == 0 ? 0 : rows.Max(r => r.Count);
        if (columns == 0) throw new ArgumentException("a heatmap sheet needs at least one picture", nameof(rows));
        var plot = Figure.Create(title);
        plot.HideAxesAndGrid();
        plot.Axes.Title.IsVisible = true;
        // Columns as wide as the widest caption where captions are wider than the pictures.
        var columnWidth = (int)Math.Ceiling(Math.Max(size, rows.SelectMany(r => r).Max(p => FigureFont.Width(p.Caption, CaptionFontSize))));
        var (cellWidth, cellHeight) = (columnWidth + Gap, size + CaptionHeight + Gap);
        for (var r = 0; r < rows.Count; r++)
        for (var c = 0; c < rows[r].Count; c++)
            AddPanel(plot, rows[r][c], size, x: c * cellWidth + (columnWidth - size) / 2.0, top: -r * cellHeight, min, max);
        var colourBar = plot.Add.ColorBar(new JetScale(min, max), Edge.Right);
        colourBar.Label = colourBarLabel;
        var (width, height) = (columns * cellWidth - Gap, rows.Count * cellHeight - Gap);
        // The limits run one gap past the last column, which keeps the colour bar off the pictures.
        plot.Axes.SetLimits(0, width + Gap, -height, 0);
        plot.Layout.Fixed(new PixelPadding(Left, Right, Bottom, Top));
        return (plot, Left + width + Gap + Right, Top + height + Bottom);
    }

    private static void AddPanel(Plot plot, HeatmapPanel panel, int size, double x, double top, float min, float max)
    {
        if (panel.Rgb.Length != 3 * size * size || panel.Map.Length != size * size || panel.Mask is { } m && m.Length != size * size)
            throw new ArgumentException($"panel '{panel.Caption}': image, map and mask must be {size} x {size}");
        var overlay = Heatmap.Overlay(panel.Rgb, panel.Map, min, max);
        if (panel.Mask is { } mask) Heatmap.DrawOutline(overlay, mask, size);
        plot.Add.ImageRect(Picture(overlay, size), new CoordinateRect(x, x + size, top - size, top));
        var caption = plot.Add.Text(panel.Caption, x + size / 2.0, top - size - 3);
        caption.Alignment = Alignment.UpperCenter;
        caption.LabelFontSize = CaptionFontSize;
    }

    /// <summary>RGB bytes as ScottPlot's [row, column, channel] image.</summary>
    private static ScottPlot.Image Picture(byte[] rgb, int size)
    {
        var pixels = new byte[size, size, 3];
        Buffer.BlockCopy(rgb, 0, pixels, 0, rgb.Length);
        return new ScottPlot.Image(pixels);
    }

    /// <summary>The colour bar's source: <see cref="Heatmap.Jet"/> over [min, max].</summary>
    private sealed class JetScale(float min, float max) : IHasColorAxis
    {
        public IColormap Colormap { get; set; } = new Jet();

        public ScottPlot.Range GetRange() => new(min, max);
    }

    private sealed class Jet : IColormap
    {
        public string Name => "jet";

        public Color GetColor(double position)
        {
            var (r, g, b) = Heatmap.Jet(Math.Clamp(position, 0, 1));
            return new Color((byte)Math.Round(r), (byte)Math.Round(g), (byte)Math.Round(b));
        }
    }
}

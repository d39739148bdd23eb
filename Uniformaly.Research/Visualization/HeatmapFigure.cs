using ScottPlot;
using Uniformaly.Research.Common;

namespace Uniformaly.Research.Visualization;

/// <summary>
/// One image's heatmap overlay as a figure of its own (predict --heatmaps, run --save-maps): the
/// overlay with an outline (the predicted defect mask, or the ground truth), its score in the caption
/// and a colour bar that says what the colours mean. A one-picture <see cref="HeatmapSheet"/>, written as PNG only.
/// </summary>
public static class HeatmapFigure
{
    /// <summary>Writes <paramref name="path"/> (a PNG) atomically.</summary>
    /// <param name="path">The PNG to write.</param>
    /// <param name="title">Above the picture (the file name).</param>
    /// <param name="panel">The image, its map, the outline and the caption.</param>
    /// <param name="size">Side of the image and map.</param>
    /// <param name="min">Map value at the cold end of the colour scale.</param>
    /// <param name="max">At the hot end.</param>
    /// <param name="colourBarLabel">What the colour bar's values are.</param>
    public static void Write(string path, string title, HeatmapPanel panel, int size, float min, float max, string colourBarLabel)
    {
        var (plot, width, height) = HeatmapSheet.Create(title, size, [[panel]], min, max, colourBarLabel);
        using (plot)
        {
            var png = plot.GetImageBytes(width, height, ImageFormat.Png);
            AtomicFile.Write(path, stream => stream.Write(png));
        }
    }
}

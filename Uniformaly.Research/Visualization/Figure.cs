using ScottPlot;
using Uniformaly.Research.Common;

namespace Uniformaly.Research.Visualization;

/// <summary>
/// What every figure shares: a ScottPlot <see cref="Plot"/> in the project's font and colours, and
/// the writing of each figure as a PNG and an SVG side by side, each file atomically.
/// </summary>
public static class Figure
{
    /// <summary>matplotlib's tab10, ScottPlot's default palette: the colour of series, clusters, implementations.</summary>
    public static Color Colour(int index) => new ScottPlot.Palettes.Category10().GetColor(index);

    /// <summary>A plot in the embedded font, with a title; the caller disposes it once written.</summary>
    public static Plot Create(string title)
    {
        FigureFont.Register();
        var plot = new Plot();
        plot.Font.Set(FigureFont.Family);
        plot.Title(title, size: 15);
        return plot;
    }

    /// <summary>Longest name <see cref="FileName"/> returns, well under file systems' 255 bytes with a suffix added.</summary>
    public const int MaxFileName = 100;

    /// <summary>A name (a category, a list of normal classes) as a file name: anything but letters,
    /// digits, '.', '-' and '_' becomes '_'; a longer name than <see cref="MaxFileName"/> keeps its
    /// start and ends in a hash of the whole, so different names stay different.</summary>
    public static string FileName(string name)
    {
        var safe = string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));
        if (safe.Length <= MaxFileName) return safe;
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..12];
        return $"{safe[..(MaxFileName - hash.Length - 1)]}-{hash}";
    }

    /// <summary>Writes <paramref name="plot"/> as BASE.png and BASE.svg (<paramref name="basePath"/> without extension) and returns both paths.</summary>
    public static (string Png, string Svg) Write(Plot plot, string basePath, int width, int height)
    {
        var (png, svg) = ($"{basePath}.png", $"{basePath}.svg");
        var pngBytes = plot.GetImageBytes(width, height, ImageFormat.Png);
        var svgText = plot.GetSvgXml(width, height);
        AtomicFile.Write(png, stream => stream.Write(pngBytes));
        AtomicFile.WriteAllText(svg, svgText);
        return (png, svg);
    }
}

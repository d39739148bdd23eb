using System.Xml.Linq;
using NUnit.Framework;
using SkiaSharp;

namespace Uniformaly.Tests.Visualization;

/// <summary>
/// Checks a figure written as BASE.png and BASE.svg: both non-empty and of the expected size, the
/// SVG's text holding the given strings, and the PNG's title band holding dark (text) pixels, so a
/// figure drawn without fonts (ScottPlot then draws no text at all, silently) fails.
/// </summary>
public static class FigureFiles
{
    /// <summary>Height of the band at the top of a figure where its title is drawn.</summary>
    private const int TitleBand = 40;

    /// <param name="basePath">The figure's path without extension.</param>
    /// <param name="width">Expected width in pixels; null where it follows the text (as a heatmap
    /// sheet's columns follow its captions): the PNG's must then equal the SVG's.</param>
    /// <param name="height">Expected height in pixels.</param>
    /// <param name="texts">Strings the figure must show.</param>
    public static void AssertReadable(string basePath, int? width, int height, params string[] texts)
    {
        var svg = XDocument.Load($"{basePath}.svg");
        var svgWidth = int.Parse((string)svg.Root!.Attribute("width")!);
        Assert.That((svgWidth, int.Parse((string)svg.Root.Attribute("height")!)), Is.EqualTo((width ?? svgWidth, height)), "SVG size");

        using var bitmap = SKBitmap.Decode($"{basePath}.png");
        Assert.That(bitmap, Is.Not.Null, $"{basePath}.png does not decode");
        Assert.That((bitmap.Width, bitmap.Height), Is.EqualTo((width ?? svgWidth, height)), "PNG size");
        Assert.That(DarkPixels(bitmap, TitleBand), Is.GreaterThan(150), "dark text pixels in the PNG's title band");

        var text = string.Join("\n", svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value.Trim()));
        foreach (var expected in texts) Assert.That(text, Does.Contain(expected), "SVG text");
    }

    /// <summary>Pixels darker than mid-grey in the top <paramref name="rows"/> rows.</summary>
    public static int DarkPixels(SKBitmap bitmap, int rows)
    {
        var count = 0;
        for (var y = 0; y < Math.Min(rows, bitmap.Height); y++)
        for (var x = 0; x < bitmap.Width; x++)
        {
            var c = bitmap.GetPixel(x, y);
            if (c.Red + c.Green + c.Blue < 3 * 100) count++;
        }
        return count;
    }
}

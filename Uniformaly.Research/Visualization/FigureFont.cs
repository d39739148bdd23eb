using System.Reflection;
using ScottPlot;
using SkiaSharp;

namespace Uniformaly.Research.Visualization;

/// <summary>
/// The one font of every figure: DejaVu Sans, embedded in this assembly. ScottPlot otherwise takes
/// its fonts from the system, and on a machine without any (a bare Debian install has none) it
/// draws every title, label and legend as nothing, silently. An embedded font also makes the
/// pictures the same on every machine.
/// </summary>
internal static class FigureFont
{
    public const string Family = "DejaVu Sans";

    private static readonly SKTypeface Regular = Load("DejaVuSans.ttf");
    private static readonly SKTypeface Bold = Load("DejaVuSans-Bold.ttf");
    private static readonly Lock Gate = new();
    private static bool _registered;

    /// <summary>Puts the embedded font first among ScottPlot's font sources and makes it the default (once per process).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            Fonts.FontResolvers.Insert(0, new Resolver());
            Fonts.Default = Family;
            Fonts.Sans = Family;
            _registered = true;
        }
    }

    /// <summary>Width in pixels of the widest line of <paramref name="text"/> at <paramref name="size"/> px.</summary>
    public static float Width(string text, float size)
    {
        using var font = new SKFont(Regular, size);
        return text.Split('\n').Max(line => font.MeasureText(line));
    }

    private static SKTypeface Load(string file)
    {
        using var stream = typeof(FigureFont).Assembly.GetManifestResourceStream($"fonts/{file}")
            ?? throw new InvalidOperationException($"font {file} is not embedded in {typeof(FigureFont).Assembly.GetName().Name}");
        return SKTypeface.FromStream(stream) ?? throw new InvalidOperationException($"embedded font {file} cannot be read");
    }

    /// <summary>Answers for <see cref="Family"/> only, so any other font a caller names still comes from the system.</summary>
    private sealed class Resolver : IFontResolver
    {
        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            fontName == Family ? (bold ? Bold : Regular) : null;

        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
            CreateTypeface(fontName, weight >= FontWeight.SemiBold, slant != FontSlant.Upright);
    }
}

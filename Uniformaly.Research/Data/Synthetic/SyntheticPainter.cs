using Uniformaly.Research.Common;

namespace Uniformaly.Research.Data.Synthetic;

/// <summary>
/// Paints the synthetic categories and defects. Normal images vary in phase, position and noise
/// only; defects (scratches, holes, stains) are what a detector should find.
/// </summary>
public static class SyntheticPainter
{
    public static readonly IReadOnlyList<string> Categories = ["synth_texture", "synth_object"];

    public static readonly IReadOnlyList<string> DefectTypes = ["scratch", "hole", "stain"];

    /// <summary>A defect-free image of <paramref name="category"/>.</summary>
    public static SyntheticCanvas Normal(string category, int size, SplitMix64 random) => category switch
    {
        "synth_texture" => Texture(size, random),
        "synth_object" => Object(size, random),
        _ => throw new ArgumentException($"unknown synthetic category '{category}' (synth_texture, synth_object)"),
    };

    /// <summary>Paints one defect of <paramref name="type"/> onto <paramref name="canvas"/>, on the
    /// object's ring for objects (where it is visible), in the central region for textures (which
    /// the center crop keeps).</summary>
    public static void Defect(SyntheticCanvas canvas, string category, string type, SplitMix64 random)
    {
        var s = canvas.Size;
        var (cx, cy) = category == "synth_object" ? OnRing(s, random) : (random.Next(s * 3 / 10, s * 7 / 10), random.Next(s * 3 / 10, s * 7 / 10));
        switch (type)
        {
            case "scratch": Scratch(canvas, cx, cy, random); break;
            case "hole": Disc(canvas, cx, cy, s / 24.0 + random.NextDouble() * s / 24.0, (15, 12, 10), 1.0); break;
            case "stain": Disc(canvas, cx, cy, s / 14.0 + random.NextDouble() * s / 14.0, (160, 110, 40), 0.55); break;
            default: throw new ArgumentException($"unknown defect type '{type}' (scratch, hole, stain)");
        }
    }

    private static (int X, int Y) OnRing(int size, SplitMix64 random)
    {
        var angle = random.NextDouble() * 2 * Math.PI;
        var radius = size * (0.17 + 0.08 * random.NextDouble());
        return ((int)(size / 2.0 + radius * Math.Cos(angle)), (int)(size / 2.0 + radius * Math.Sin(angle)));
    }

    private static SyntheticCanvas Texture(int size, SplitMix64 random)
    {
        var canvas = new SyntheticCanvas(size);
        var phaseX = random.NextDouble() * 2 * Math.PI;
        var phaseY = random.NextDouble() * 2 * Math.PI;
        var period = size / 12.0;
        for (var y = 0; y < size; y++)
        for (var x = 0; x < size; x++)
        {
            var v = 128 + 35 * Math.Sin(x / period * 2 * Math.PI + phaseX) * Math.Cos(y / period * 2 * Math.PI + phaseY);
            var n = 6 * random.NextGaussian();
            canvas.Set(x, y, v + n, 0.9 * v + 15 + n, 0.7 * v + 40 + n);
        }
        return canvas;
    }

    private static SyntheticCanvas Object(int size, SplitMix64 random)
    {
        var canvas = new SyntheticCanvas(size);
        var cx = size / 2.0 + (random.NextDouble() - 0.5) * size / 16;
        var cy = size / 2.0 + (random.NextDouble() - 0.5) * size / 16;
        var outer = size * 0.3;
        var inner = size * 0.12;
        for (var y = 0; y < size; y++)
        for (var x = 0; x < size; x++)
        {
            var d = Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
            var n = 3 * random.NextGaussian();
            if (d < inner || d > outer) canvas.Set(x, y, 40 + n, 45 + n, 50 + n);
            else
            {
                var shade = 170 + 40 * Math.Cos((d - inner) / (outer - inner) * Math.PI);
                canvas.Set(x, y, shade + n, shade * 0.95 + n, shade * 0.8 + n);
            }
        }
        return canvas;
    }

    private static void Scratch(SyntheticCanvas canvas, int cx, int cy, SplitMix64 random)
    {
        var angle = random.NextDouble() * Math.PI;
        var half = canvas.Size / 8.0 + random.NextDouble() * canvas.Size / 8.0;
        var (dx, dy) = (Math.Cos(angle), Math.Sin(angle));
        var width = Math.Max(1.0, canvas.Size / 90.0);
        for (var t = -half; t <= half; t += 0.5)
        for (var w = -width; w <= width; w += 0.5)
            canvas.Blend((int)Math.Round(cx + t * dx - w * dy), (int)Math.Round(cy + t * dy + w * dx), (235, 235, 225), 0.85);
    }

    private static void Disc(SyntheticCanvas canvas, int cx, int cy, double radius, (double, double, double) color, double alpha)
    {
        var r = (int)Math.Ceiling(radius);
        for (var y = cy - r; y <= cy + r; y++)
        for (var x = cx - r; x <= cx + r; x++)
            if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius)
                canvas.Blend(x, y, color, alpha);
    }
}

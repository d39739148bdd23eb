namespace Uniformaly.Research.Visualization;

/// <summary>Anomaly maps as pictures: a jet colour map blended over the input image.</summary>
public static class Heatmap
{
    /// <summary>
    /// Colours <paramref name="map"/> (row-major, any range) with the jet colour map after scaling
    /// [<paramref name="min"/>, <paramref name="max"/>] to [0, 1], and blends it over
    /// <paramref name="rgb"/> (HWC bytes of the same size) with weight <paramref name="alpha"/>.
    /// </summary>
    public static byte[] Overlay(ReadOnlySpan<byte> rgb, ReadOnlySpan<float> map, float min, float max, double alpha = 0.5)
    {
        if (rgb.Length != map.Length * 3) throw new ArgumentException($"image has {rgb.Length / 3} pixels, map has {map.Length}");
        var range = max > min ? max - min : 1f;
        var result = new byte[rgb.Length];
        for (var i = 0; i < map.Length; i++)
        {
            var (r, g, b) = Jet(Math.Clamp((map[i] - min) / range, 0f, 1f));
            result[3 * i] = Mix(rgb[3 * i], r, alpha);
            result[3 * i + 1] = Mix(rgb[3 * i + 1], g, alpha);
            result[3 * i + 2] = Mix(rgb[3 * i + 2], b, alpha);
        }
        return result;
    }

    /// <summary>
    /// Draws the outline of <paramref name="mask"/> (1 = anomalous, <paramref name="size"/> squared)
    /// in white into <paramref name="rgb"/>: every pixel on either side of a border between mask and
    /// background, a line two pixels wide that stays visible on any colour of the jet map.
    /// </summary>
    public static void DrawOutline(byte[] rgb, ReadOnlySpan<byte> mask, int size)
    {
        if (mask.Length != size * size || rgb.Length != 3 * mask.Length) throw new ArgumentException($"image and mask must be {size} x {size}");
        for (var y = 0; y < size; y++)
        for (var x = 0; x < size; x++)
        {
            var inside = mask[y * size + x] != 0;
            var border = (x > 0 && mask[y * size + x - 1] != 0 != inside) || (x < size - 1 && mask[y * size + x + 1] != 0 != inside)
                || (y > 0 && mask[(y - 1) * size + x] != 0 != inside) || (y < size - 1 && mask[(y + 1) * size + x] != 0 != inside);
            if (border) rgb.AsSpan(3 * (y * size + x), 3).Fill(255);
        }
    }

    /// <summary>The jet colour map (blue - cyan - yellow - red) at t in [0, 1], as in matplotlib.</summary>
    public static (double R, double G, double B) Jet(double t)
    {
        static double Channel(double x) => Math.Clamp(1.5 - Math.Abs(4 * x), 0, 1) * 255;
        return (Channel(t - 0.75), Channel(t - 0.5), Channel(t - 0.25));
    }

    private static byte Mix(byte under, double over, double alpha) =>
        (byte)Math.Clamp(Math.Round(under * (1 - alpha) + over * alpha), 0, 255);
}

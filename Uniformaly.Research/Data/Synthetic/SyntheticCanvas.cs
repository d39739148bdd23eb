namespace Uniformaly.Research.Data.Synthetic;

/// <summary>An RGB image being painted, with its defect mask (0 or 255 per pixel).</summary>
public sealed class SyntheticCanvas(int size)
{
    public int Size { get; } = size;

    /// <summary>Row-major RGB bytes, HWC.</summary>
    public byte[] Rgb { get; } = new byte[size * size * 3];

    /// <summary>Row-major mask bytes: 255 where a defect was painted.</summary>
    public byte[] Mask { get; } = new byte[size * size];

    public bool HasDefect => Array.IndexOf(Mask, (byte)255) >= 0;

    public void Set(int x, int y, double r, double g, double b)
    {
        var i = (y * Size + x) * 3;
        Rgb[i] = ToByte(r);
        Rgb[i + 1] = ToByte(g);
        Rgb[i + 2] = ToByte(b);
    }

    /// <summary>Mixes a colour into pixel (x, y) with weight <paramref name="alpha"/> and marks it defective.</summary>
    public void Blend(int x, int y, (double R, double G, double B) color, double alpha)
    {
        if ((uint)x >= (uint)Size || (uint)y >= (uint)Size) return;
        var i = (y * Size + x) * 3;
        Rgb[i] = ToByte(Rgb[i] * (1 - alpha) + color.R * alpha);
        Rgb[i + 1] = ToByte(Rgb[i + 1] * (1 - alpha) + color.G * alpha);
        Rgb[i + 2] = ToByte(Rgb[i + 2] * (1 - alpha) + color.B * alpha);
        Mask[y * Size + x] = 255;
    }

    private static byte ToByte(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);
}

namespace Uniformaly.Research.Imaging;

/// <summary>Channel conversions exactly as PIL's Image.convert does them on 8-bit data.</summary>
internal static class Luma
{
    /// <summary>RGB -> L with PIL's fixed-point ITU-R 601-2 weights (L24 in Convert.c):
    /// (R*19595 + G*38470 + B*7471 + 0x8000) >> 16.</summary>
    internal static byte[] FromRgb(ReadOnlySpan<byte> rgb)
    {
        var gray = new byte[rgb.Length / 3];
        for (int i = 0; i < gray.Length; i++)
            gray[i] = (byte)((rgb[3 * i] * 19595 + rgb[3 * i + 1] * 38470 + rgb[3 * i + 2] * 7471 + 0x8000) >> 16);
        return gray;
    }

    /// <summary>L -> RGB: the gray value in all three channels.</summary>
    internal static byte[] ToRgb(ReadOnlySpan<byte> gray)
    {
        var rgb = new byte[gray.Length * 3];
        for (int i = 0; i < gray.Length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray[i];
        return rgb;
    }
}

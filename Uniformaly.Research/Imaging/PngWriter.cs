using SkiaSharp;
using Uniformaly.Research.Common;

namespace Uniformaly.Research.Imaging;

/// <summary>Writes 8-bit gray and RGB PNG files through SkiaSharp (libpng), atomically (a temporary
/// file renamed over the target, so readers never see a partial image).</summary>
public static class PngWriter
{
    public static void Save(string path, RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        Write(path, image.Pixels, image.Width, image.Height, 3);
    }

    /// <summary>Writes <paramref name="pixels"/> ([height, width] bytes) as an 8-bit gray PNG.</summary>
    public static void SaveGray(string path, int width, int height, byte[] pixels) =>
        Save(path, new GrayImage(width, height, pixels));

    public static void Save(string path, GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        Write(path, image.Pixels, image.Width, image.Height, 1);
    }

    /// <summary>The PNG file bytes of HWC pixels with 1 (gray) or 3 (RGB) channels.</summary>
    public static unsafe byte[] Encode(byte[] pixels, int width, int height, int channels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 (gray) or 3 (RGB)");
        if (width <= 0 || height <= 0 || pixels.Length != (long)width * height * channels)
            throw new ArgumentException($"{pixels.Length} bytes do not make a {width}x{height}x{channels} image", nameof(pixels));
        // Skia has no 3-byte pixel format: RGB goes in as RGBX, which its encoder writes as PNG colour type 2.
        var source = channels == 1 ? pixels : ToRgbx(pixels);
        var info = new SKImageInfo(width, height, channels == 1 ? SKColorType.Gray8 : SKColorType.Rgb888x, SKAlphaType.Opaque);
        fixed (byte* p = source)
        {
            using var pixmap = new SKPixmap(info, (IntPtr)p);
            using var png = pixmap.Encode(SKPngEncoderOptions.Default)
                ?? throw new InvalidOperationException($"the PNG encoder refused a {width}x{height} image");
            return png.ToArray();
        }
    }

    private static byte[] ToRgbx(byte[] rgb)
    {
        var rgbx = new byte[rgb.LongLength / 3 * 4];
        for (long i = 0, n = rgb.LongLength / 3; i < n; i++)
        {
            rgbx[4 * i] = rgb[3 * i];
            rgbx[4 * i + 1] = rgb[3 * i + 1];
            rgbx[4 * i + 2] = rgb[3 * i + 2];
        }
        return rgbx;
    }

    private static void Write(string path, byte[] pixels, int width, int height, int channels)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] png;
        try
        {
            png = Encode(pixels, width, height, channels);
        }
        catch (InvalidOperationException e)
        {
            // The encoder's refusal: the caller needs to know which file.
            throw new ImageException(path, e.Message, e);
        }
        try
        {
            AtomicFile.Write(path, stream => stream.Write(png));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageException(path, $"cannot write PNG: {e.Message}", e);
        }
    }
}

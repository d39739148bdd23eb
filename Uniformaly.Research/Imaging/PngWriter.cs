using Uniformaly.Research.Common;

namespace Uniformaly.Research.Imaging;

/// <summary>Writes 8-bit gray and RGB PNG files through libpng, atomically (a temporary file renamed
/// over the target, so readers never see a partial image).</summary>
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
        IntPtr png;
        long length;
        fixed (byte* p = pixels)
        {
            if (CodecNative.ufm_png_encode(p, width, height, channels, out png, out length) != 0)
                throw new InvalidOperationException($"PNG encoding failed: {CodecNative.LastError()}");
        }
        return CodecNative.TakeBuffer(png, length);
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
            // libpng's refusal, or a bridge built without codecs: the caller needs to know which file.
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

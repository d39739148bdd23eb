namespace Uniformaly.Research.Imaging;

/// <summary>Image container formats, recognized by their leading bytes (never by the extension).</summary>
public enum ImageFormat { Unknown, Png, Jpeg, Tiff, Bmp, Gif, WebP }

/// <summary>Identifies a file's format from its signature.</summary>
public static class ImageFormats
{
    public static ImageFormat Sniff(ReadOnlySpan<byte> data)
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return ImageFormat.Png;
        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return ImageFormat.Jpeg;
        if (data.StartsWith("II*\0"u8) || data.StartsWith("MM\0*"u8)) return ImageFormat.Tiff;
        if (data.StartsWith("BM"u8)) return ImageFormat.Bmp;
        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8)) return ImageFormat.Gif;
        if (data.Length >= 12 && data.StartsWith("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8)) return ImageFormat.WebP;
        return ImageFormat.Unknown;
    }
}

namespace Uniformaly.Research.Imaging;

/// <summary>Reads PNG, JPEG, GIF, WebP, TIFF and BMP files exactly as PIL's Image.open(path).convert(mode)
/// does (SPEC section 1): gray and palette images are expanded, alpha is dropped without
/// compositing, EXIF orientation is not applied, an animation gives its first frame. The format comes
/// from the file's signature, not its extension. Every failure is an <see cref="ImageException"/>
/// naming the file.</summary>
public static class ImageDecoder
{
    /// <summary>The image as RGB (PIL convert("RGB")).</summary>
    public static RgbImage Load(string path)
    {
        var decoded = Decode(path);
        var rgb = decoded.Channels == 3 ? decoded.Pixels : Luma.ToRgb(decoded.Pixels);
        return new RgbImage(decoded.Width, decoded.Height, rgb);
    }

    /// <summary>The image as 8-bit gray (PIL convert("L")), as ground-truth masks are read.</summary>
    public static GrayImage LoadGray(string path)
    {
        var decoded = Decode(path);
        var gray = decoded.Channels == 1 ? decoded.Pixels : Luma.FromRgb(decoded.Pixels);
        return new GrayImage(decoded.Width, decoded.Height, gray);
    }

    private static DecodedPixels Decode(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var data = ReadFile(path);
        if (data.Length == 0) throw new ImageException(path, "empty file");
        var format = ImageFormats.Sniff(data);
        try
        {
            return format switch
            {
                ImageFormat.Png or ImageFormat.Jpeg or ImageFormat.Gif or ImageFormat.WebP => SkiaDecoder.Decode(data, format),
                ImageFormat.Tiff => TiffDecoder.Decode(data),
                ImageFormat.Bmp => BmpDecoder.Decode(data),
                _ => throw new ImageException(path, "not a recognized image file (supported: PNG, JPEG, GIF, WebP, TIFF, BMP)"),
            };
        }
        catch (InvalidDataException e)
        {
            throw new ImageException(path, $"cannot decode {format.ToString().ToUpperInvariant()}: {e.Message}", e);
        }
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ImageException(path, "file not found", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageException(path, $"cannot read file: {e.Message}", e);
        }
    }
}

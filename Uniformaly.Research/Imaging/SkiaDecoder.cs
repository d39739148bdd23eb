using System.Runtime.Intrinsics;
using SkiaSharp;

namespace Uniformaly.Research.Imaging;

/// <summary>
/// PNG, JPEG, GIF and WebP through SkiaSharp, whose decoders are the libraries PIL 9.4 uses (libpng,
/// libjpeg-turbo with its islow IDCT and fancy upsampling, libwebp) and give PIL's pixels byte for
/// byte: no colour management, EXIF orientation not applied (PIL's convert ignores it too), the
/// first frame of an animation, alpha dropped without compositing. Where Skia and PIL still differ
/// the file is rewritten first (<see cref="PilFileRewrites"/>). A truncated file is an error, as in
/// PIL (Skia would fill the rest).
/// </summary>
internal static class SkiaDecoder
{
    /// <exception cref="InvalidDataException">Skia rejected the data; the message says why.</exception>
    internal static unsafe DecodedPixels Decode(byte[] file, ImageFormat format)
    {
        var (data, rewrite) = PilFileRewrites.Apply(file, format);
        fixed (byte* bytes = data)
        {
            // Wraps the pinned array without a copy; the codec is gone before the array is unpinned.
            using var wrapped = SKData.Create((IntPtr)bytes, data.Length);
            using var stream = new SKMemoryStream(wrapped);
            using var codec = SKCodec.Create(stream, out var created) ?? throw Failure(created);
            var (width, height) = (codec.Info.Width, codec.Info.Height);
            PixelLimit.Check(width, height);
            if (rewrite == PilRewrite.Gray16AsGrayAlpha) return ClippedGray16(codec, width, height);
            if (codec.Info.ColorType == SKColorType.Gray8)
                return new DecodedPixels(width, height, 1, Pixels(codec, SKColorType.Gray8, width, height));
            return new DecodedPixels(width, height, 3, DropAlpha(Pixels(codec, SKColorType.Rgba8888, width, height)));
        }
    }

    /// <summary>RGBA to RGB (Skia has no 3-byte format), four pixels per shuffle: 2-4x faster than a
    /// byte loop, which took 0.2-0.8 ms for a 256x256 image on the loaded development VM.</summary>
    private static unsafe byte[] DropAlpha(byte[] rgba)
    {
        var pixels = rgba.LongLength / 4;
        var rgb = new byte[pixels * 3];
        var keep = Vector128.Create((byte)0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, 255, 255, 255, 255);
        fixed (byte* source = rgba, target = rgb)
        {
            long i = 0;
            // Each store writes 16 bytes, 4 past the 12 it fills: the last pixels go one by one.
            for (; i + 6 <= pixels; i += 4) Vector128.Shuffle(Vector128.Load(source + 4 * i), keep).Store(target + 3 * i);
            for (; i < pixels; i++)
            {
                target[3 * i] = source[4 * i];
                target[3 * i + 1] = source[4 * i + 1];
                target[3 * i + 2] = source[4 * i + 2];
            }
        }
        return rgb;
    }

    /// <summary>PIL's mode "I" clipped to 0..255: the 16-bit value is (gray, alpha) of the rewritten file.</summary>
    private static DecodedPixels ClippedGray16(SKCodec codec, int width, int height)
    {
        var rgba = Pixels(codec, SKColorType.Rgba8888, width, height);
        var gray = new byte[(long)width * height];
        for (long i = 0; i < gray.LongLength; i++) gray[i] = rgba[4 * i] != 0 ? (byte)255 : rgba[4 * i + 3];
        return new DecodedPixels(width, height, 1, gray);
    }

    /// <summary>The first frame as <paramref name="colorType"/>; colours unpremultiplied (the stored
    /// values even where alpha is 0).</summary>
    private static unsafe byte[] Pixels(SKCodec codec, SKColorType colorType, int width, int height)
    {
        var info = new SKImageInfo(width, height, colorType, colorType == SKColorType.Gray8 ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        if ((long)info.RowBytes * height > Array.MaxLength)
            throw new InvalidDataException($"a {width}x{height} image is too large to hold in memory");
        var pixels = new byte[(long)info.RowBytes * height];
        SKCodecResult result;
        fixed (byte* p = pixels) result = codec.GetPixels(info, (IntPtr)p);
        return result == SKCodecResult.Success ? pixels : throw Failure(result);
    }

    private static InvalidDataException Failure(SKCodecResult result) => new(result switch
    {
        SKCodecResult.IncompleteInput => "truncated file (unexpected end of data)",
        SKCodecResult.ErrorInInput => "corrupt image data",
        SKCodecResult.InvalidInput => "corrupt or unsupported header",
        SKCodecResult.Unimplemented or SKCodecResult.InvalidConversion => "unsupported variant",
        _ => $"the decoder failed ({result})",
    });
}

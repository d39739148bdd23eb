using BitMiracle.LibTiff.Classic;
using SkiaSharp;

namespace Uniformaly.Research.Imaging;

/// <summary>Which libraries read and write image files, for `uniformaly info`. Asking Skia for its
/// native version loads libSkiaSharp.so, so this also checks that it is there and loads.</summary>
public static class ImageCodecs
{
    public static string Describe() =>
        $"PNG, JPEG, GIF, WebP (SkiaSharp {typeof(SKCodec).Assembly.GetName().Version?.ToString(3)}, native {SkiaSharpVersion.Native}), "
        + $"TIFF (LibTiff.NET {typeof(Tiff).Assembly.GetName().Version?.ToString(3)}), BMP (managed)";
}

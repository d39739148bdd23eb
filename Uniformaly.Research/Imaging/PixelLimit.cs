namespace Uniformaly.Research.Imaging;

/// <summary>PIL's decompression-bomb limit, checked from the header before any pixel is decoded:
/// PIL refuses images above twice Image.MAX_IMAGE_PIXELS (DecompressionBombError), which also keeps
/// a corrupt header from requesting gigabytes before the data runs out.</summary>
internal static class PixelLimit
{
    internal const long MaxPixels = 2L * 89478485;

    /// <exception cref="InvalidDataException">the image has more pixels than PIL opens.</exception>
    internal static void Check(long width, long height)
    {
        if (width * height > MaxPixels)
            throw new InvalidDataException($"a {width}x{height} image exceeds PIL's limit of {MaxPixels} pixels (decompression bomb)");
    }
}

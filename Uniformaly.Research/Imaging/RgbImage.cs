namespace Uniformaly.Research.Imaging;

/// <summary>An 8-bit RGB image: <see cref="Pixels"/> holds Height x Width x 3 bytes (HWC, rows top to bottom).</summary>
public sealed class RgbImage
{
    public RgbImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != (long)width * height * 3)
            throw new ArgumentException($"expected {width}x{height}x3 = {(long)width * height * 3} bytes, got {pixels.Length}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>[Height, Width, 3] bytes, R G B.</summary>
    public byte[] Pixels { get; }
}

namespace Uniformaly.Research.Imaging;

/// <summary>An 8-bit single-channel image (PIL mode "L"): <see cref="Pixels"/> holds Height x Width bytes.</summary>
public sealed class GrayImage
{
    public GrayImage(int width, int height, byte[] pixels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != (long)width * height)
            throw new ArgumentException($"expected {width}x{height} = {(long)width * height} bytes, got {pixels.Length}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>[Height, Width] bytes.</summary>
    public byte[] Pixels { get; }
}

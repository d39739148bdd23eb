namespace Uniformaly.Research.Imaging;

/// <summary>A decoded image before the final conversion: 1 channel (gray, PIL modes L/LA/I/1) or 3
/// (RGB; palette and alpha already resolved as PIL's convert does). Pixels are HWC bytes.</summary>
internal readonly record struct DecodedPixels(int Width, int Height, int Channels, byte[] Pixels);

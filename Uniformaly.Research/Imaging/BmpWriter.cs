using System.Buffers.Binary;
using Uniformaly.Research.Common;

namespace Uniformaly.Research.Imaging;

/// <summary>Writes uncompressed Windows bitmaps in managed code, atomically, byte for byte as PIL 9.4
/// saves modes "RGB" (24-bit BGR) and "L" (8-bit, gray palette): rows bottom-up padded to 4 bytes.
/// Needs no native codec, so a bridge built without libpng can still write the synthetic dataset
/// that `bench e2e` reads back through <see cref="ImageDecoder"/>.</summary>
public static class BmpWriter
{
    private const int FileHeaderSize = 14;
    private const int InfoHeaderSize = 40;
    private const int PixelsPerMetre = 3780;

    public static void Save(string path, RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        Write(path, Encode(image.Pixels, image.Width, image.Height, 3));
    }

    public static void Save(string path, GrayImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        Write(path, Encode(image.Pixels, image.Width, image.Height, 1));
    }

    /// <summary>The BMP file bytes of HWC pixels with 1 (gray) or 3 (RGB) channels.</summary>
    public static byte[] Encode(byte[] pixels, int width, int height, int channels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 (gray) or 3 (RGB)");
        if (width <= 0 || height <= 0 || pixels.Length != (long)width * height * channels)
            throw new ArgumentException($"{pixels.Length} bytes do not make a {width}x{height}x{channels} image", nameof(pixels));
        var paletteSize = channels == 1 ? 256 * 4 : 0;
        var stride = (width * channels + 3) / 4 * 4;
        var pixelOffset = FileHeaderSize + InfoHeaderSize + paletteSize;
        var file = new byte[checked(pixelOffset + (long)stride * height)];
        WriteHeaders(file, width, height, channels, pixelOffset);
        // Entry i is (i, i, i) and, as PIL writes it, i in the reserved fourth byte too.
        for (var i = 0; i < paletteSize; i++) file[FileHeaderSize + InfoHeaderSize + i] = (byte)(i / 4);
        for (var y = 0; y < height; y++)
        {
            // Bottom-up: the file's first row is the image's last.
            var row = file.AsSpan(pixelOffset + stride * (height - 1 - y), width * channels);
            var source = pixels.AsSpan(y * width * channels, width * channels);
            if (channels == 1)
            {
                source.CopyTo(row);
                continue;
            }
            for (var x = 0; x < width; x++)
            {
                row[3 * x] = source[3 * x + 2];
                row[3 * x + 1] = source[3 * x + 1];
                row[3 * x + 2] = source[3 * x];
            }
        }
        return file;
    }

    /// <summary>BITMAPFILEHEADER and BITMAPINFOHEADER as PIL 9.4 writes them: uncompressed, 96 dpi
    /// (3780 pixels per metre), a gray image's 256 palette entries all used and important.</summary>
    private static void WriteHeaders(byte[] file, int width, int height, int channels, int pixelOffset)
    {
        var span = file.AsSpan();
        span[0] = (byte)'B';
        span[1] = (byte)'M';
        BinaryPrimitives.WriteUInt32LittleEndian(span[2..], (uint)file.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span[10..], (uint)pixelOffset);
        var info = span[FileHeaderSize..];
        BinaryPrimitives.WriteInt32LittleEndian(info, InfoHeaderSize);
        BinaryPrimitives.WriteInt32LittleEndian(info[4..], width);
        BinaryPrimitives.WriteInt32LittleEndian(info[8..], height);
        BinaryPrimitives.WriteUInt16LittleEndian(info[12..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(info[14..], (ushort)(8 * channels));
        BinaryPrimitives.WriteUInt32LittleEndian(info[20..], (uint)(file.Length - pixelOffset));
        BinaryPrimitives.WriteInt32LittleEndian(info[24..], PixelsPerMetre);
        BinaryPrimitives.WriteInt32LittleEndian(info[28..], PixelsPerMetre);
        BinaryPrimitives.WriteInt32LittleEndian(info[32..], channels == 1 ? 256 : 0);
        BinaryPrimitives.WriteInt32LittleEndian(info[36..], channels == 1 ? 256 : 0);
    }

    private static void Write(string path, byte[] bmp)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            AtomicFile.Write(path, stream => stream.Write(bmp));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageException(path, $"cannot write BMP: {e.Message}", e);
        }
    }
}

using System.Buffers.Binary;

namespace Uniformaly.Research.Imaging;

/// <summary>Uncompressed Windows bitmaps as PIL reads them: 1/4/8-bit palette, 24-bit BGR and 32-bit
/// BGRX (the fourth byte ignored, PIL's "BGRX" raw mode), bottom-up or top-down rows padded to 4
/// bytes. Output is RGB. Compressed (RLE, bit-field) bitmaps are rejected as unsupported.</summary>
internal static class BmpDecoder
{
    private const int FileHeaderSize = 14;

    /// <exception cref="InvalidDataException">the data is truncated, corrupt or an unsupported variant.</exception>
    internal static DecodedPixels Decode(ReadOnlySpan<byte> data)
    {
        Require(data.Length >= FileHeaderSize + 12, "truncated header");
        int pixelOffset = BinaryPrimitives.ReadInt32LittleEndian(data[10..]);
        int headerSize = BinaryPrimitives.ReadInt32LittleEndian(data[FileHeaderSize..]);
        bool core = headerSize == 12;
        Require(core || headerSize >= 40, $"unknown header size {headerSize}");
        Require(data.Length >= FileHeaderSize + headerSize, "truncated header");
        var header = data[FileHeaderSize..];
        int width = core ? BinaryPrimitives.ReadInt16LittleEndian(header[4..]) : BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        int rawHeight = core ? BinaryPrimitives.ReadInt16LittleEndian(header[6..]) : BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(header[(core ? 10 : 14)..]);
        int compression = core ? 0 : BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        int colorsUsed = core ? 0 : BinaryPrimitives.ReadInt32LittleEndian(header[32..]);
        int height = Math.Abs(rawHeight);
        Require(width > 0 && height > 0 && width <= 1 << 16 && height <= 1 << 16, $"invalid size {width}x{rawHeight}");
        Require(compression == 0, $"unsupported compression {compression} (only uncompressed bitmaps)");
        Require(bits is 1 or 4 or 8 or 24 or 32, $"unsupported bit depth {bits}");
        var palette = bits <= 8 ? ReadPalette(data, FileHeaderSize + headerSize, core ? 3 : 4, colorsUsed, bits) : [];
        long stride = ((long)width * bits + 31) / 32 * 4;
        Require(pixelOffset >= 0 && pixelOffset + stride * height <= data.Length, "truncated pixel data");
        var rgb = new byte[(long)width * height * 3];
        for (int y = 0; y < height; y++)
        {
            int sourceRow = rawHeight > 0 ? height - 1 - y : y;
            var row = data.Slice((int)(pixelOffset + stride * sourceRow), (int)stride);
            DecodeRow(row, rgb.AsSpan(y * width * 3, width * 3), width, bits, palette);
        }
        return new DecodedPixels(width, height, 3, rgb);
    }

    /// <summary>Palette entries as RGB triples; entries the file does not define stay black.</summary>
    private static byte[] ReadPalette(ReadOnlySpan<byte> data, int offset, int entrySize, int colorsUsed, int bits)
    {
        int count = colorsUsed > 0 ? Math.Min(colorsUsed, 1 << bits) : 1 << bits;
        Require(offset + (long)count * entrySize <= data.Length, "truncated palette");
        var palette = new byte[(1 << bits) * 3];
        for (int i = 0; i < count; i++)
        {
            var entry = data.Slice(offset + i * entrySize, 3);
            palette[3 * i] = entry[2];
            palette[3 * i + 1] = entry[1];
            palette[3 * i + 2] = entry[0];
        }
        return palette;
    }

    private static void DecodeRow(ReadOnlySpan<byte> row, Span<byte> rgb, int width, int bits, byte[] palette)
    {
        for (int x = 0; x < width; x++)
        {
            if (bits >= 24)
            {
                int at = x * (bits / 8);
                rgb[3 * x] = row[at + 2];
                rgb[3 * x + 1] = row[at + 1];
                rgb[3 * x + 2] = row[at];
                continue;
            }
            int bitOffset = x * bits;
            int index = (row[bitOffset >> 3] >> (8 - bits - (bitOffset & 7))) & ((1 << bits) - 1);
            palette.AsSpan(3 * index, 3).CopyTo(rgb[(3 * x)..]);
        }
    }

    private static void Require(bool condition, string reason)
    {
        if (!condition) throw new InvalidDataException(reason);
    }
}

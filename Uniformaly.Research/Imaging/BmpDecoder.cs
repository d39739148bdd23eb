using System.Buffers.Binary;

namespace Uniformaly.Research.Imaging;

/// <summary>Windows bitmaps as PIL 9.4 reads them (BmpImagePlugin), in managed code: Skia's BMP
/// decoder differs from PIL (16-bit fields expanded by bit replication, not PIL's v * 255 / max; a
/// pixel offset that forgets the palette rejected). Read here: 1/4/8-bit palette, 16-bit
/// (5-5-5, or 5-6-5 by bit fields), 24-bit BGR and 32-bit with the byte orders PIL accepts as bit
/// fields (BGRX by default; the fourth byte, alpha or padding, is dropped as convert("RGB") does),
/// bottom-up or top-down rows padded to 4 bytes. Output is RGB. Run-length compressed bitmaps and
/// other bit-field layouts are rejected as unsupported.</summary>
internal static class BmpDecoder
{
    private const int FileHeaderSize = 14;
    private const int Uncompressed = 0;
    private const int BitFields = 3;

    /// <summary>How one pixel's bytes become RGB.</summary>
    private enum Packing { Palette, Bytes, Rgb555, Rgb565 }

    /// <summary>A packing and, for <see cref="Packing.Bytes"/>, which byte of the pixel holds R, G and B.</summary>
    private readonly record struct Layout(Packing Packing, int Red = 0, int Green = 0, int Blue = 0);

    /// <summary>The 32-bit bit-field masks (R, G, B, A) PIL accepts and where they put R, G, B.</summary>
    private static readonly Dictionary<(uint, uint, uint, uint), Layout> Masks32 = new()
    {
        [(0xFF0000, 0xFF00, 0xFF, 0)] = new(Packing.Bytes, 2, 1, 0),                 // BGRX
        [(0xFF000000, 0xFF0000, 0xFF00, 0)] = new(Packing.Bytes, 3, 2, 1),           // XBGR
        [(0xFF000000, 0xFF0000, 0xFF00, 0xFF)] = new(Packing.Bytes, 3, 2, 1),        // ABGR
        [(0xFF, 0xFF00, 0xFF0000, 0xFF000000)] = new(Packing.Bytes, 0, 1, 2),        // RGBA
        [(0xFF0000, 0xFF00, 0xFF, 0xFF000000)] = new(Packing.Bytes, 2, 1, 0),        // BGRA
        [(0, 0, 0, 0)] = new(Packing.Bytes, 2, 1, 0),                                // BGRA
    };

    /// <exception cref="InvalidDataException">the data is truncated, corrupt or an unsupported variant.</exception>
    internal static DecodedPixels Decode(ReadOnlySpan<byte> data)
    {
        Require(data.Length >= FileHeaderSize + 12, "truncated header");
        long pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        int headerSize = BinaryPrimitives.ReadInt32LittleEndian(data[FileHeaderSize..]);
        bool core = headerSize == 12;
        Require(core || headerSize is >= 40 and <= 1024, $"unknown header size {headerSize}");
        Require(data.Length >= FileHeaderSize + headerSize, "truncated header");
        var header = data.Slice(FileHeaderSize, headerSize);
        int width = core ? BinaryPrimitives.ReadInt16LittleEndian(header[4..]) : BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        int rawHeight = core ? BinaryPrimitives.ReadInt16LittleEndian(header[6..]) : BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        int bits = BinaryPrimitives.ReadUInt16LittleEndian(header[(core ? 10 : 14)..]);
        int compression = core ? Uncompressed : BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        int colorsUsed = core ? 0 : BinaryPrimitives.ReadInt32LittleEndian(header[32..]);
        Require(rawHeight != int.MinValue, $"invalid height {rawHeight}");
        int height = Math.Abs(rawHeight);
        Require(width > 0 && height > 0 && width <= 1 << 16 && height <= 1 << 16, $"invalid size {width}x{rawHeight}");
        PixelLimit.Check(width, height);
        var layout = ChooseLayout(data, header, bits, compression);
        var palette = layout.Packing == Packing.Palette ? ReadPalette(data, FileHeaderSize + headerSize, core ? 3 : 4, colorsUsed, bits) : [];
        // PIL's repair of files whose pixel offset forgets the palette.
        if (pixelOffset == FileHeaderSize + headerSize && bits <= 8) pixelOffset += 4L * (colorsUsed > 0 ? colorsUsed : 1 << bits);
        long stride = ((long)width * bits + 31) / 32 * 4;
        Require(pixelOffset + stride * height <= data.Length, "truncated pixel data");
        var rgb = new byte[(long)width * height * 3];
        for (int y = 0; y < height; y++)
        {
            int sourceRow = rawHeight > 0 ? height - 1 - y : y;
            var row = data.Slice((int)(pixelOffset + stride * sourceRow), (int)stride);
            DecodeRow(row, rgb.AsSpan(y * width * 3, width * 3), width, bits, layout, palette);
        }
        return new DecodedPixels(width, height, 3, rgb);
    }

    /// <summary>The pixel packing of an uncompressed or bit-field bitmap, as PIL's BIT2MODE and MASK_MODES choose it.</summary>
    private static Layout ChooseLayout(ReadOnlySpan<byte> data, ReadOnlySpan<byte> header, int bits, int compression)
    {
        if (compression == Uncompressed)
        {
            return bits switch
            {
                1 or 4 or 8 => new Layout(Packing.Palette),
                16 => new Layout(Packing.Rgb555),
                24 or 32 => new Layout(Packing.Bytes, 2, 1, 0),
                _ => throw new InvalidDataException($"unsupported bit depth {bits}"),
            };
        }
        Require(compression == BitFields, $"unsupported compression {compression} (only uncompressed and bit-field bitmaps)");
        var (r, g, b, a) = ReadMasks(data, header);
        if (bits == 32 && Masks32.TryGetValue((r, g, b, a), out var layout)) return layout;
        if (bits == 24 && (r, g, b) == (0xFF0000, 0xFF00, 0xFF)) return new Layout(Packing.Bytes, 2, 1, 0);
        if (bits == 16 && (r, g, b) == (0xF800, 0x7E0, 0x1F)) return new Layout(Packing.Rgb565);
        if (bits == 16 && (r, g, b) == (0x7C00, 0x3E0, 0x1F)) return new Layout(Packing.Rgb555);
        throw new InvalidDataException($"unsupported {bits}-bit bit-field layout R {r:X} G {g:X} B {b:X} A {a:X}");
    }

    /// <summary>R, G, B, A masks: inside V4/V5 headers, else the three that follow a 40-byte header (alpha 0).</summary>
    private static (uint R, uint G, uint B, uint A) ReadMasks(ReadOnlySpan<byte> data, ReadOnlySpan<byte> header)
    {
        var masks = header.Length >= 56 ? header[40..] : data[(FileHeaderSize + header.Length)..];
        Require(masks.Length >= 12, "truncated bit-field masks");
        uint alpha = header.Length >= 56 ? BinaryPrimitives.ReadUInt32LittleEndian(masks[12..]) : 0;
        return (BinaryPrimitives.ReadUInt32LittleEndian(masks), BinaryPrimitives.ReadUInt32LittleEndian(masks[4..]),
            BinaryPrimitives.ReadUInt32LittleEndian(masks[8..]), alpha);
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

    private static void DecodeRow(ReadOnlySpan<byte> row, Span<byte> rgb, int width, int bits, Layout layout, byte[] palette)
    {
        for (int x = 0; x < width; x++)
        {
            var pixel = rgb.Slice(3 * x, 3);
            switch (layout.Packing)
            {
                case Packing.Bytes:
                    var source = row.Slice(x * (bits / 8), bits / 8);
                    pixel[0] = source[layout.Red];
                    pixel[1] = source[layout.Green];
                    pixel[2] = source[layout.Blue];
                    break;
                case Packing.Rgb555 or Packing.Rgb565:
                    Expand16(BinaryPrimitives.ReadUInt16LittleEndian(row[(2 * x)..]), layout.Packing == Packing.Rgb565, pixel);
                    break;
                default:
                    int bitOffset = x * bits;
                    int index = (row[bitOffset >> 3] >> (8 - bits - (bitOffset & 7))) & ((1 << bits) - 1);
                    palette.AsSpan(3 * index, 3).CopyTo(pixel);
                    break;
            }
        }
    }

    /// <summary>PIL's BGR;15 and BGR;16 unpackers: each field scaled to 0..255 as v * 255 / max, truncated.</summary>
    private static void Expand16(int value, bool green6, Span<byte> pixel)
    {
        int greenBits = green6 ? 6 : 5, greenMax = (1 << greenBits) - 1;
        pixel[0] = (byte)(((value >> (5 + greenBits)) & 31) * 255 / 31);
        pixel[1] = (byte)(((value >> 5) & greenMax) * 255 / greenMax);
        pixel[2] = (byte)((value & 31) * 255 / 31);
    }

    private static void Require(bool condition, string reason)
    {
        if (!condition) throw new InvalidDataException(reason);
    }
}

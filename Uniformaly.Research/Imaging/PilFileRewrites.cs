using System.Buffers.Binary;
using System.IO.Hashing;

namespace Uniformaly.Research.Imaging;

/// <summary>How a file was rewritten before Skia decodes it, and so how its pixels are read back.</summary>
internal enum PilRewrite
{
    None,

    /// <summary>A 16-bit gray PNG relabelled as 8-bit gray+alpha: gray = high byte, alpha = low byte.</summary>
    Gray16AsGrayAlpha,
}

/// <summary>
/// The three file variants where Skia's decoders (libpng, Skia's own GIF reader) and PIL 9.4
/// disagree, rewritten in their headers so that Skia decodes them as PIL does; the image data is
/// never touched. Checksums are verified before and recomputed after, so a damaged header still
/// fails in libpng as it would have.
/// <list type="bullet">
/// <item>16-bit gray PNG: libpng keeps the high byte of each sample, PIL opens it as mode "I" and
/// convert() clips the value to 255. Relabelled as 8-bit gray+alpha, whose two bytes per pixel
/// filter and interlace exactly as one 16-bit sample, Skia hands back both bytes.</item>
/// <item>Palette PNG whose PLTE is shorter than its indices reach: libpng repeats the last colour,
/// PIL's palette holds gray (i, i, i) at every entry the file does not define. The PLTE chunk is
/// padded with those grays.</item>
/// <item>GIF with a transparent index: Skia makes those pixels transparent black, PIL's
/// convert("RGB") keeps the palette colour. The first frame's transparency flag is cleared.</item>
/// </list>
/// </summary>
internal static class PilFileRewrites
{
    private const int PngSignatureSize = 8;
    private const int ChunkOverhead = 12; // length, type, CRC
    private const byte PngGray = 0, PngPalette = 3, PngGrayAlpha = 4;

    /// <summary>The bytes Skia should decode (the file itself when nothing needs rewriting).</summary>
    internal static (byte[] Data, PilRewrite Rewrite) Apply(byte[] file, ImageFormat format) => format switch
    {
        ImageFormat.Png => RewritePng(file),
        ImageFormat.Gif => (ClearGifTransparency(file), PilRewrite.None),
        _ => (file, PilRewrite.None),
    };

    private static (byte[], PilRewrite) RewritePng(byte[] file)
    {
        // IHDR is the first chunk: width, height, bit depth, colour type, ...
        const int ihdr = PngSignatureSize;
        if (!IsChunk(file, ihdr, "IHDR"u8, minLength: 13) || !HasValidCrc(file, ihdr)) return (file, PilRewrite.None);
        byte bitDepth = file[ihdr + 16], colourType = file[ihdr + 17];
        if (colourType == PngGray && bitDepth == 16)
        {
            var copy = (byte[])file.Clone();
            copy[ihdr + 16] = 8;
            copy[ihdr + 17] = PngGrayAlpha;
            WriteCrc(copy, ihdr);
            return (copy, PilRewrite.Gray16AsGrayAlpha);
        }
        return colourType == PngPalette && bitDepth <= 8 ? (PadPalette(file, 1 << bitDepth), PilRewrite.None) : (file, PilRewrite.None);
    }

    /// <summary>The file with its PLTE chunk holding <paramref name="entries"/> colours, entry i
    /// (i, i, i) where the file defines none.</summary>
    private static byte[] PadPalette(byte[] file, int entries)
    {
        for (var at = PngSignatureSize; IsChunk(file, at, default, minLength: 0);)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at));
            var type = file.AsSpan(at + 4, 4);
            if (type.SequenceEqual("IDAT"u8)) break;
            if (type.SequenceEqual("PLTE"u8))
            {
                if (length % 3 != 0 || length / 3 >= entries || !HasValidCrc(file, at)) return file;
                var padded = new byte[3 * entries];
                file.AsSpan(at + 8, length).CopyTo(padded);
                for (var i = length / 3; i < entries; i++) padded[3 * i] = padded[3 * i + 1] = padded[3 * i + 2] = (byte)i;
                var rewritten = new byte[file.Length + padded.Length - length];
                file.AsSpan(0, at).CopyTo(rewritten);
                BinaryPrimitives.WriteUInt32BigEndian(rewritten.AsSpan(at), (uint)padded.Length);
                "PLTE"u8.CopyTo(rewritten.AsSpan(at + 4));
                padded.CopyTo(rewritten.AsSpan(at + 8));
                WriteCrc(rewritten, at);
                file.AsSpan(at + ChunkOverhead + length).CopyTo(rewritten.AsSpan(at + ChunkOverhead + padded.Length));
                return rewritten;
            }
            at += ChunkOverhead + length;
        }
        return file;
    }

    /// <summary>Whether a whole chunk (of <paramref name="type"/> unless empty, at least
    /// <paramref name="minLength"/> data bytes) starts at <paramref name="at"/>.</summary>
    private static bool IsChunk(byte[] file, int at, ReadOnlySpan<byte> type, int minLength)
    {
        if (at < 0 || at > file.Length - ChunkOverhead) return false;
        var length = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at));
        return length >= minLength && length <= file.Length - at - ChunkOverhead && (type.IsEmpty || file.AsSpan(at + 4, 4).SequenceEqual(type));
    }

    private static bool HasValidCrc(byte[] file, int at)
    {
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at));
        return Crc32.HashToUInt32(file.AsSpan(at + 4, 4 + length)) == BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at + 8 + length));
    }

    private static void WriteCrc(byte[] file, int at)
    {
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at));
        BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(at + 8 + length), Crc32.HashToUInt32(file.AsSpan(at + 4, 4 + length)));
    }

    /// <summary>The GIF with the transparency flag of the graphic control extension before its first
    /// image cleared (a copy), or the file itself when it has none. Walks the blocks from the header:
    /// the byte pattern alone could also occur inside image data.</summary>
    private static byte[] ClearGifTransparency(byte[] file)
    {
        const int screenDescriptorEnd = 13;
        if (file.Length < screenDescriptorEnd) return file;
        var flags = file[10];
        var at = screenDescriptorEnd + ((flags & 0x80) != 0 ? 3 << ((flags & 7) + 1) : 0);
        // Extension blocks (0x21, label, sub-blocks) until the first image descriptor (0x2C).
        while (at + 1 < file.Length && file[at] == 0x21)
        {
            var label = file[at + 1];
            if (label == 0xF9 && at + 3 < file.Length && file[at + 2] == 4 && (file[at + 3] & 1) != 0)
            {
                var copy = (byte[])file.Clone();
                copy[at + 3] &= 0xFE;
                return copy;
            }
            at += 2;
            while (at < file.Length && file[at] != 0) at += file[at] + 1;
            at++;
        }
        return file;
    }
}

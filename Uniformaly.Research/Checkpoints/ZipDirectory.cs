using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Uniformaly.Research.Checkpoints;

/// <summary>One member of a zip archive: where its bytes start in the file and how they are stored.</summary>
internal sealed record ZipEntry(string Name, bool Deflated, long CompressedSize, long Size, long DataOffset);

/// <summary>The central directory of a zip archive (zip64 included), read without loading the
/// archive: torch.save stores its members uncompressed, so each one is a plain byte range of the
/// file that can be read straight into tensor memory.</summary>
internal static class ZipDirectory
{
    private const uint EndOfDirectorySignature = 0x06054b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint Zip64EndSignature = 0x06064b50;
    private const uint DirectoryEntrySignature = 0x02014b50;
    private const uint LocalHeaderSignature = 0x04034b50;
    private const int EndOfDirectorySize = 22;
    private const int MaxCommentSize = 0xffff;

    /// <summary>Every member, keyed by name.</summary>
    /// <exception cref="CheckpointException">a truncated or corrupt archive, naming the file.</exception>
    public static Dictionary<string, ZipEntry> Read(SafeFileHandle file, string path)
    {
        var length = RandomAccess.GetLength(file);
        var (count, directoryOffset, directorySize) = FindDirectory(file, length, path);
        if (directoryOffset < 0 || directorySize < 0 || directoryOffset + directorySize > length || directorySize > int.MaxValue)
            throw Corrupt(path, "central directory lies outside the file");
        var directory = ReadAt(file, directoryOffset, (int)directorySize, path);
        var entries = new Dictionary<string, ZipEntry>(StringComparer.Ordinal);
        var position = 0;
        for (long i = 0; i < count; i++)
        {
            var entry = ParseEntry(file, directory, ref position, length, path);
            entries[entry.Name] = entry;
        }
        return entries;
    }

    /// <summary>A stream of an entry's uncompressed bytes (inflating deflated entries).</summary>
    public static Stream Open(SafeFileHandle file, ZipEntry entry)
    {
        var raw = new FileStream(new SafeFileHandle(file.DangerousGetHandle(), ownsHandle: false), FileAccess.Read, 1 << 16);
        raw.Position = entry.DataOffset;
        return entry.Deflated ? new DeflateStream(raw, CompressionMode.Decompress) : raw;
    }

    private static (long Count, long Offset, long Size) FindDirectory(SafeFileHandle file, long length, string path)
    {
        var tailLength = (int)Math.Min(length, EndOfDirectorySize + MaxCommentSize);
        var tail = ReadAt(file, length - tailLength, tailLength, path);
        for (var i = tailLength - EndOfDirectorySize; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) != EndOfDirectorySignature) continue;
            var record = tail.AsSpan(i);
            long count = BinaryPrimitives.ReadUInt16LittleEndian(record[10..]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(record[12..]);
            long offset = BinaryPrimitives.ReadUInt32LittleEndian(record[16..]);
            return count == 0xffff || size == 0xffffffff || offset == 0xffffffff
                ? FindZip64Directory(file, length - tailLength + i, path)
                : (count, offset, size);
        }
        throw Corrupt(path, "no end-of-central-directory record (truncated?)");
    }

    private static (long Count, long Offset, long Size) FindZip64Directory(SafeFileHandle file, long endOfDirectory, string path)
    {
        if (endOfDirectory < 20) throw Corrupt(path, "zip64 locator missing");
        var locator = ReadAt(file, endOfDirectory - 20, 20, path);
        if (BinaryPrimitives.ReadUInt32LittleEndian(locator) != Zip64LocatorSignature) throw Corrupt(path, "zip64 locator missing");
        var recordOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(locator.AsSpan(8));
        var record = ReadAt(file, recordOffset, 56, path);
        if (BinaryPrimitives.ReadUInt32LittleEndian(record) != Zip64EndSignature) throw Corrupt(path, "zip64 end record missing");
        return ((long)BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(32)),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(48)),
                (long)BinaryPrimitives.ReadUInt64LittleEndian(record.AsSpan(40)));
    }

    private static ZipEntry ParseEntry(SafeFileHandle file, byte[] directory, ref int position, long length, string path)
    {
        if (position + 46 > directory.Length || BinaryPrimitives.ReadUInt32LittleEndian(directory.AsSpan(position)) != DirectoryEntrySignature)
            throw Corrupt(path, "bad central directory entry");
        var header = directory.AsSpan(position);
        var method = BinaryPrimitives.ReadUInt16LittleEndian(header[10..]);
        long compressed = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
        long size = BinaryPrimitives.ReadUInt32LittleEndian(header[24..]);
        var nameLength = BinaryPrimitives.ReadUInt16LittleEndian(header[28..]);
        var extraLength = BinaryPrimitives.ReadUInt16LittleEndian(header[30..]);
        var commentLength = BinaryPrimitives.ReadUInt16LittleEndian(header[32..]);
        long localOffset = BinaryPrimitives.ReadUInt32LittleEndian(header[42..]);
        if (position + 46 + nameLength + extraLength > directory.Length) throw Corrupt(path, "bad central directory entry");
        var name = Encoding.UTF8.GetString(header.Slice(46, nameLength));
        ApplyZip64Extra(header.Slice(46 + nameLength, extraLength), ref size, ref compressed, ref localOffset);
        position += 46 + nameLength + extraLength + commentLength;

        if (method is not (0 or 8)) throw Corrupt(path, $"member '{name}' uses unsupported compression method {method}");
        var dataOffset = DataOffset(file, localOffset, name, path);
        if (dataOffset + compressed > length)
            throw new CheckpointException(path, $"is truncated: zip member '{name}' needs bytes up to {dataOffset + compressed}, file has {length}");
        return new ZipEntry(name, method == 8, compressed, size, dataOffset);
    }

    /// <summary>Replaces the 32-bit fields saturated at 0xffffffff by their zip64 values, in the
    /// order the format lists them.</summary>
    private static void ApplyZip64Extra(ReadOnlySpan<byte> extra, ref long size, ref long compressed, ref long offset)
    {
        while (extra.Length >= 4)
        {
            var id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
            var blockLength = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]), extra.Length - 4);
            var block = extra.Slice(4, blockLength);
            if (id == 0x0001)
            {
                if (size == 0xffffffff && block.Length >= 8) { size = (long)BinaryPrimitives.ReadUInt64LittleEndian(block); block = block[8..]; }
                if (compressed == 0xffffffff && block.Length >= 8) { compressed = (long)BinaryPrimitives.ReadUInt64LittleEndian(block); block = block[8..]; }
                if (offset == 0xffffffff && block.Length >= 8) offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(block);
            }
            extra = extra[(4 + blockLength)..];
        }
    }

    /// <summary>Where a member's bytes start: after its local header, whose extra field torch uses
    /// to align tensor data (so it differs from the central directory's).</summary>
    private static long DataOffset(SafeFileHandle file, long localOffset, string name, string path)
    {
        var local = ReadAt(file, localOffset, 30, path);
        if (BinaryPrimitives.ReadUInt32LittleEndian(local) != LocalHeaderSignature)
            throw Corrupt(path, $"member '{name}' has no local header at byte {localOffset}");
        return localOffset + 30 + BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(26)) + BinaryPrimitives.ReadUInt16LittleEndian(local.AsSpan(28));
    }

    private static byte[] ReadAt(SafeFileHandle file, long offset, int count, string path)
    {
        var bytes = new byte[count];
        if (offset < 0 || RandomAccess.Read(file, bytes, offset) != count)
            throw new CheckpointException(path, $"is truncated: {count} bytes wanted at byte {offset}");
        return bytes;
    }

    private static CheckpointException Corrupt(string path, string what) =>
        new(path, $"is not a readable zip archive: {what}");
}

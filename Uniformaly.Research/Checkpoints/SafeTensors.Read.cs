using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Checkpoints;

public static partial class SafeTensors
{
    /// <summary>Reads every tensor of a safetensors file, each straight from the file into native
    /// memory, in the file's data order. The caller owns (disposes) the result.</summary>
    /// <exception cref="CheckpointException">truncated, corrupt or inconsistent file (named).</exception>
    public static StateDict Read(string path)
    {
        using var file = OpenForReading(path);
        var fileLength = RandomAccess.GetLength(file);
        var (header, dataStart) = ReadHeader(file, fileLength, path);
        using var json = ParseJson(header, path);
        var entries = ParseEntries(json.RootElement, fileLength - dataStart, path);
        var result = new StateDict(path, ParseMetadata(json.RootElement, path));
        try
        {
            foreach (var e in entries.OrderBy(e => e.Begin))
                result.Add(e.Name, Tensor.ReadFrom(file, dataStart + e.Begin, e.DType, e.Shape));
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>Each tensor's dtype and shape, from the header alone (no tensor data is read).</summary>
    /// <exception cref="CheckpointException">truncated, corrupt or inconsistent file (named).</exception>
    public static IReadOnlyDictionary<string, (DType DType, long[] Shape)> ReadLayout(string path)
    {
        using var file = OpenForReading(path);
        var fileLength = RandomAccess.GetLength(file);
        var (header, dataStart) = ReadHeader(file, fileLength, path);
        using var json = ParseJson(header, path);
        return ParseEntries(json.RootElement, fileLength - dataStart, path).ToDictionary(e => e.Name, e => (e.DType, e.Shape));
    }

    /// <summary>True when the file starts like a safetensors file (a plausible header length
    /// followed by a JSON object).</summary>
    internal static bool LooksLikeSafeTensors(ReadOnlySpan<byte> prefix, long fileLength)
    {
        if (prefix.Length < 9) return false;
        var n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        return n >= 2 && n <= (ulong)Math.Max(0, fileLength - 8) && prefix[8] == (byte)'{';
    }

    internal static SafeFileHandle OpenForReading(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException(path, $"cannot be opened: {e.Message}", e);
        }
    }

    private static (byte[] Header, long DataStart) ReadHeader(SafeFileHandle file, long fileLength, string path)
    {
        Span<byte> lengthBytes = stackalloc byte[8];
        if (fileLength < 8 || RandomAccess.Read(file, lengthBytes, 0) != 8)
            throw new CheckpointException(path, $"is truncated: {fileLength} bytes, too short for a safetensors header");
        var n = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (n > (ulong)MaxHeaderBytes || (long)n > fileLength - 8)
            throw new CheckpointException(path, $"is truncated or corrupt: safetensors header claims {n} bytes, file has {fileLength - 8} after the length");
        var header = new byte[n];
        if (RandomAccess.Read(file, header, 8) != header.Length)
            throw new CheckpointException(path, "is truncated inside the safetensors header");
        return (header, 8 + (long)n);
    }

    private static JsonDocument ParseJson(byte[] header, string path)
    {
        try
        {
            var json = JsonDocument.Parse(header);
            if (json.RootElement.ValueKind == JsonValueKind.Object) return json;
            json.Dispose();
        }
        catch (JsonException e)
        {
            throw new CheckpointException(path, $"has a corrupt safetensors header: {e.Message}", e);
        }
        throw new CheckpointException(path, "has a safetensors header that is not a JSON object");
    }

    private sealed record Entry(string Name, DType DType, long[] Shape, long Begin, long End);

    private static List<Entry> ParseEntries(JsonElement root, long dataLength, string path)
    {
        var entries = root.EnumerateObject()
            .Where(p => p.Name != MetadataKey)
            .Select(p => ParseEntry(p, dataLength, path))
            .ToList();
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        for (var i = 1; i < sorted.Count; i++)
            if (sorted[i].Begin < sorted[i - 1].End)
                throw new CheckpointException(path, $"tensors '{sorted[i - 1].Name}' and '{sorted[i].Name}' overlap in the data section");
        return entries;
    }

    private static Entry ParseEntry(JsonProperty p, long dataLength, string path)
    {
        try
        {
            var v = p.Value;
            var dtypeName = v.GetProperty("dtype").GetString() ?? "";
            var dtype = ParseDType(dtypeName)
                ?? throw new CheckpointException(path, $"tensor '{p.Name}' has unsupported dtype '{dtypeName}'");
            var shape = v.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            var offsets = v.GetProperty("data_offsets").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            if (shape.Any(d => d < 0) || offsets.Length != 2)
                throw new CheckpointException(path, $"tensor '{p.Name}' has a negative dimension or malformed data_offsets");
            var nbytes = shape.Aggregate(1L, (a, b) => checked(a * b)) * dtype.ElementSize();
            if (offsets[0] < 0 || offsets[1] != offsets[0] + nbytes || offsets[1] > dataLength)
                throw new CheckpointException(path, $"tensor '{p.Name}' ({dtypeName} [{string.Join(", ", shape)}], {nbytes} bytes) has data_offsets [{offsets[0]}, {offsets[1]}] that do not fit it or the {dataLength}-byte data section (truncated file?)");
            return new Entry(p.Name, dtype, shape, offsets[0], offsets[1]);
        }
        catch (Exception e) when (e is KeyNotFoundException or InvalidOperationException or FormatException or OverflowException)
        {
            throw new CheckpointException(path, $"tensor '{p.Name}' has a malformed safetensors entry: {e.Message}", e);
        }
    }

    private static Dictionary<string, string> ParseMetadata(JsonElement root, string path)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!root.TryGetProperty(MetadataKey, out var m)) return metadata;
        if (m.ValueKind != JsonValueKind.Object)
            throw new CheckpointException(path, $"{MetadataKey} is not a JSON object of strings");
        foreach (var p in m.EnumerateObject())
            metadata[p.Name] = p.Value.ValueKind == JsonValueKind.String
                ? p.Value.GetString()!
                : throw new CheckpointException(path, $"{MetadataKey} entry '{p.Name}' is not a string");
        return metadata;
    }
}

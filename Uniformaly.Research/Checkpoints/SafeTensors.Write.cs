using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Checkpoints;

public static partial class SafeTensors
{
    /// <summary>Writes <paramref name="tensors"/> (any device, dtype from F32/F16/BF16/F64/I64/I32/
    /// I16/I8/U8/BOOL, any strides) in name order to a temporary file beside <paramref name="path"/>,
    /// then renames it over <paramref name="path"/>, so a crash never leaves a half-written file.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, Tensor> tensors,
                             IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.ContainsKey(MetadataKey))
            throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor", nameof(tensors));
        var names = tensors.Keys.Order(StringComparer.Ordinal).ToList();
        var header = BuildHeader(names, tensors, metadata);

        var full = System.IO.Path.GetFullPath(path);
        var temp = $"{full}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> length = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
                stream.Write(length);
                stream.Write(header);
                foreach (var name in names) tensors[name].WriteTo(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>The JSON header, space-padded to a multiple of 8 bytes so the data section
    /// stays aligned (as the reference writer does).</summary>
    private static byte[] BuildHeader(List<string> names, IReadOnlyDictionary<string, Tensor> tensors,
                                      IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var name in names)
            {
                var t = tensors[name];
                var nbytes = t.NumEl * t.DType.ElementSize();
                json.WriteStartObject(name);
                json.WriteString("dtype", DTypeName(t.DType));
                json.WriteStartArray("shape");
                foreach (var d in t.Shape) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + nbytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += nbytes;
            }
            json.WriteEndObject();
        }
        var padding = (8 - buffer.Length % 8) % 8;
        buffer.Write(Encoding.ASCII.GetBytes(new string(' ', (int)padding)));
        return buffer.ToArray();
    }
}

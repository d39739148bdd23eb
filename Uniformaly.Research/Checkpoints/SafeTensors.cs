using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Checkpoints;

/// <summary>The safetensors format: an 8-byte little-endian header length, a JSON header
/// (name → dtype, shape, [begin, end) byte offsets into the data section, plus an optional
/// string map <c>__metadata__</c>), then the raw little-endian tensor bytes.</summary>
public static partial class SafeTensors
{
    /// <summary>The JSON key of the free-form string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    // Headers larger than this are refused as corrupt rather than allocated.
    private const long MaxHeaderBytes = 100L << 20;

    private static readonly (string Name, DType DType)[] DTypeNames =
    [
        ("F32", DType.Float32), ("F16", DType.Float16), ("BF16", DType.BFloat16), ("F64", DType.Float64),
        ("I64", DType.Int64), ("I32", DType.Int32), ("I16", DType.Int16), ("I8", DType.Int8),
        ("U8", DType.UInt8), ("BOOL", DType.Bool),
    ];

    private static DType? ParseDType(string name) =>
        DTypeNames.Where(d => d.Name == name).Select(d => (DType?)d.DType).FirstOrDefault();

    private static string DTypeName(DType dtype) =>
        DTypeNames.Where(d => d.DType == dtype).Select(d => d.Name).FirstOrDefault()
        ?? throw new ArgumentException($"safetensors cannot store dtype {dtype}", nameof(dtype));
}

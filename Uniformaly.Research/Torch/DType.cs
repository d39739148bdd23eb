namespace Uniformaly.Research.Torch;

/// <summary>Element types; the values are c10::ScalarType's numbering, as the C ABI expects.</summary>
public enum DType
{
    UInt8 = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Float16 = 5,
    Float32 = 6,
    Float64 = 7,
    Bool = 11,
    BFloat16 = 15,
}

public static class DTypeExtensions
{
    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this DType dtype) => dtype switch
    {
        DType.UInt8 or DType.Int8 or DType.Bool => 1,
        DType.Int16 or DType.Float16 or DType.BFloat16 => 2,
        DType.Int32 or DType.Float32 => 4,
        DType.Int64 or DType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    public static bool IsFloatingPoint(this DType dtype) =>
        dtype is DType.Float16 or DType.BFloat16 or DType.Float32 or DType.Float64;

    /// <summary>The dtype stored in a managed array of <typeparamref name="T"/>.</summary>
    public static DType Of<T>() where T : unmanaged => typeof(T) switch
    {
        var t when t == typeof(float) => DType.Float32,
        var t when t == typeof(double) => DType.Float64,
        var t when t == typeof(Half) => DType.Float16,
        var t when t == typeof(long) => DType.Int64,
        var t when t == typeof(int) => DType.Int32,
        var t when t == typeof(short) => DType.Int16,
        var t when t == typeof(sbyte) => DType.Int8,
        var t when t == typeof(byte) => DType.UInt8,
        var t when t == typeof(bool) => DType.Bool,
        var t => throw new NotSupportedException($"no tensor dtype for managed type {t.Name}"),
    };

    /// <summary>Parses the names used on the command line and in configs (float32, fp16, bf16...).</summary>
    public static DType Parse(string name) => name.ToLowerInvariant() switch
    {
        "float32" or "float" or "fp32" => DType.Float32,
        "float16" or "half" or "fp16" => DType.Float16,
        "bfloat16" or "bf16" => DType.BFloat16,
        "float64" or "double" => DType.Float64,
        "int64" or "long" => DType.Int64,
        "int32" or "int" => DType.Int32,
        "uint8" or "byte" => DType.UInt8,
        "bool" => DType.Bool,
        _ => throw new ArgumentException($"unknown dtype '{name}' (float32, float16, bfloat16, float64, int64, int32, uint8, bool)", nameof(name)),
    };
}

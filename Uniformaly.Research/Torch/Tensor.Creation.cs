namespace Uniformaly.Research.Torch;

public sealed partial class Tensor
{
    /// <summary>A CPU tensor holding a copy of <paramref name="data"/> with the given shape
    /// (one dimension of the data's length when no shape is given).</summary>
    public static unsafe Tensor FromArray<T>(ReadOnlySpan<T> data, params ReadOnlySpan<long> shape) where T : unmanaged
    {
        var dims = shape.Length == 0 ? [data.Length] : shape.ToArray();
        fixed (T* p = data)
        fixed (long* s = dims)
            return Wrap(Native.ufm_from_host(p, (long)data.Length * sizeof(T), s, dims.Length, (int)DTypeExtensions.Of<T>()));
    }

    public static Tensor FromArray<T>(T[] data, params ReadOnlySpan<long> shape) where T : unmanaged =>
        FromArray((ReadOnlySpan<T>)data, shape);

    /// <summary>A CPU tensor from raw little-endian element bytes of any dtype (bf16 included).</summary>
    public static unsafe Tensor FromBytes(ReadOnlySpan<byte> bytes, DType dtype, params ReadOnlySpan<long> shape)
    {
        var dims = shape.ToArray();
        fixed (byte* p = bytes)
        fixed (long* s = dims)
            return Wrap(Native.ufm_from_host(p, bytes.Length, s, dims.Length, (int)dtype));
    }

    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) => Full([], value, dtype, device);

    public static unsafe Tensor Empty(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape) return Wrap(Native.ufm_empty(s, shape.Length, (int)dtype, (int)d.Type, d.Index));
    }

    public static unsafe Tensor Full(ReadOnlySpan<long> shape, double value, DType dtype = DType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape) return Wrap(Native.ufm_full(s, shape.Length, value, (int)dtype, (int)d.Type, d.Index));
    }

    public static Tensor Zeros(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 0, dtype, device);

    public static Tensor Ones(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 1, dtype, device);

    /// <summary>start, start+step, ... below end.</summary>
    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Int64, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        return Wrap(Native.ufm_arange(start, end, step, (int)dtype, (int)d.Type, d.Index));
    }

    /// <summary>Uniform on [0, 1), from libtorch's generator (see <see cref="TorchRuntime.ManualSeed"/>).</summary>
    public static unsafe Tensor Rand(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape) return Wrap(Native.ufm_rand(s, shape.Length, (int)dtype, (int)d.Type, d.Index));
    }

    /// <summary>Standard normal samples.</summary>
    public static unsafe Tensor Randn(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape) return Wrap(Native.ufm_randn(s, shape.Length, (int)dtype, (int)d.Type, d.Index));
    }

    /// <summary>Integers uniform on [low, high).</summary>
    public static unsafe Tensor RandInt(long low, long high, ReadOnlySpan<long> shape, DType dtype = DType.Int64, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        fixed (long* s = shape) return Wrap(Native.ufm_randint(low, high, s, shape.Length, (int)dtype, (int)d.Type, d.Index));
    }

    /// <summary>A random permutation of 0..n-1.</summary>
    public static Tensor RandPerm(long n, DType dtype = DType.Int64, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        return Wrap(Native.ufm_randperm(n, (int)dtype, (int)d.Type, d.Index));
    }
}

using System.Runtime.InteropServices;

namespace Uniformaly.Research.Torch;

/// <summary>
/// A libtorch tensor. Disposing frees it at once; tensors created inside a
/// <see cref="DisposeScope"/> are freed with the scope unless moved out. Autograd is off
/// (inference mode) unless <see cref="TorchRuntime.EnableGrad"/> is in effect.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly TensorHandle _handle;
    private long[]? _shape;

    private Tensor(TensorHandle handle)
    {
        _handle = handle;
        DisposeScope.Current?.Attach(this);
    }

    /// <summary>The scope that will free this tensor, if any.</summary>
    internal DisposeScope? Scope { get; set; }

    /// <summary>Native tensors currently alive in this process (for leak checks).</summary>
    public static long LiveCount => TensorHandle.Live;

    internal TensorHandle Handle => _handle.IsClosed ? throw new ObjectDisposedException(nameof(Tensor)) : _handle;

    public bool IsDisposed => _handle.IsClosed;

    /// <summary>Wraps the result of a native call, turning a null result into a TorchException.</summary>
    internal static Tensor Wrap(TensorHandle handle)
    {
        if (handle.IsInvalid)
        {
            var error = TorchException.FromLastError();
            handle.Dispose();
            throw error;
        }
        handle.MarkAlive();
        return new Tensor(handle);
    }

    /// <summary>Wraps the two results of a native call that returned them through out-pointers.</summary>
    internal static (Tensor, Tensor) WrapPair(int status, TensorHandle a, TensorHandle b)
    {
        if (status != 0)
        {
            var error = TorchException.FromLastError();
            a.Dispose();
            b.Dispose();
            throw error;
        }
        return (Wrap(a), Wrap(b));
    }

    public void Dispose()
    {
        Scope?.Forget(this);
        _handle.Dispose();
    }

    /// <summary>Takes the tensor out of its dispose scope so that it lives until disposed.</summary>
    public Tensor DetachFromDisposeScope()
    {
        Scope?.Forget(this);
        return this;
    }

    /// <summary>Hands the tensor to the scope enclosing its current one.</summary>
    public Tensor MoveToOuterDisposeScope() => Scope is { } scope ? scope.MoveToOuter(this) : this;

    // ---- queries ---------------------------------------------------------------------------

    public unsafe long[] Shape
    {
        get
        {
            if (_shape is null)
            {
                var shape = new long[Native.ufm_ndim(Handle)];
                fixed (long* p = shape) Native.ufm_sizes(Handle, p);
                _shape = shape;
            }
            return (long[])_shape.Clone();
        }
    }

    public int Dim => Native.ufm_ndim(Handle);

    /// <summary>Size of dimension <paramref name="dim"/>; negative counts from the end.</summary>
    public long Size(int dim)
    {
        var shape = Shape;
        return shape[dim < 0 ? dim + shape.Length : dim];
    }

    public long NumEl => Shape.Aggregate(1L, (a, b) => a * b);

    public unsafe long[] Strides
    {
        get
        {
            var strides = new long[Dim];
            fixed (long* p = strides) Native.ufm_strides(Handle, p);
            return strides;
        }
    }

    public DType DType => (DType)Native.ufm_dtype(Handle);

    public Device Device => Native.ufm_device_type(Handle) == 1
        ? Device.Cuda(Native.ufm_device_index(Handle))
        : Device.Cpu;

    public bool IsContiguous => Native.ufm_is_contiguous(Handle) != 0;

    public bool RequiresGrad => Native.ufm_requires_grad(Handle) != 0;

    public override string ToString() => $"Tensor[{string.Join(", ", Shape)}] {DType.ToString().ToLowerInvariant()} {Device}";

    // ---- data out --------------------------------------------------------------------------

    /// <summary>Copies the elements (row-major, from any device) into a new managed array.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var result = new T[NumEl];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>Copies the elements (row-major, from any device) into <paramref name="destination"/>,
    /// which must hold exactly <see cref="NumEl"/> elements of the tensor's dtype.</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        CheckManagedType<T>();
        fixed (T* p = destination)
            TorchException.Check(Native.ufm_to_host(Handle, p, (long)destination.Length * sizeof(T)));
    }

    /// <summary>Raw little-endian bytes of every element (for dtypes without a managed twin, bf16).</summary>
    public unsafe byte[] ToBytes()
    {
        var bytes = new byte[NumEl * DType.ElementSize()];
        fixed (byte* p = bytes) TorchException.Check(Native.ufm_to_host(Handle, p, bytes.Length));
        return bytes;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public double Item()
    {
        TorchException.Check(Native.ufm_item_double(Handle, out var value));
        return value;
    }

    public long ItemLong()
    {
        TorchException.Check(Native.ufm_item_long(Handle, out var value));
        return value;
    }

    private void CheckManagedType<T>() where T : unmanaged
    {
        var expected = DTypeExtensions.Of<T>();
        if (expected != DType)
            throw new ArgumentException($"tensor holds {DType} but {typeof(T).Name} ({expected}) was asked for; convert with To(DType.{expected}) first");
    }

    // ---- conversion ------------------------------------------------------------------------

    public Tensor To(Device device, bool nonBlocking = false) =>
        Wrap(Native.ufm_to(Handle, (int)device.Type, device.Index, (int)DType, nonBlocking ? 1 : 0));

    public Tensor To(DType dtype) => To(Device, dtype);

    public Tensor To(Device device, DType dtype, bool nonBlocking = false) =>
        Wrap(Native.ufm_to(Handle, (int)device.Type, device.Index, (int)dtype, nonBlocking ? 1 : 0));

    /// <summary>A copy in page-locked host memory, so host-to-GPU copies can run asynchronously.</summary>
    /// <exception cref="TorchException">CUDA is not available (pinning is a CUDA facility).</exception>
    public Tensor PinMemory()
    {
        if (!TorchRuntime.CudaIsAvailable)
            throw new TorchException($"pinned host memory needs CUDA, which libtorch {TorchRuntime.Version} here does not have; use the tensor unpinned");
        return Wrap(Native.ufm_pin_memory(Handle));
    }

    /// <summary>Whether the tensor lives in page-locked (pinned) host memory.</summary>
    public bool IsPinned
    {
        get
        {
            var pinned = Native.ufm_is_pinned(Handle);
            if (pinned < 0) throw TorchException.FromLastError();
            return pinned == 1;
        }
    }

    /// <summary>Starts copying this tensor to <paramref name="device"/> without waiting for it:
    /// from host to CUDA the copy runs on a side stream and overlaps work already queued on the
    /// current stream (asynchronously only from pinned memory); other pairs copy at once.</summary>
    public PendingCopy StartCopy(Device device) => PendingCopy.Start(this, device);

    public Tensor Clone() => Wrap(Native.ufm_clone(Handle));

    public Tensor Contiguous() => Wrap(Native.ufm_contiguous(Handle));

    /// <summary>A second handle to the same tensor (shares storage), with its own lifetime.</summary>
    public Tensor Alias() => Wrap(Native.ufm_alias(Handle));

    // ---- in place --------------------------------------------------------------------------

    /// <summary>Writes <paramref name="source"/> (broadcast) into this tensor or view.</summary>
    public Tensor CopyFrom(Tensor source)
    {
        TorchException.Check(Native.ufm_copy_(Handle, source.Handle));
        return this;
    }

    public Tensor Fill(double value)
    {
        TorchException.Check(Native.ufm_fill_(Handle, value));
        return this;
    }

    internal static IntPtr[] Handles(IReadOnlyList<Tensor> tensors)
    {
        var handles = new IntPtr[tensors.Count];
        for (var i = 0; i < handles.Length; i++) handles[i] = tensors[i].Handle.DangerousGetHandle();
        return handles;
    }
}

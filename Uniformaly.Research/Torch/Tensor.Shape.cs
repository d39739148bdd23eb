namespace Uniformaly.Research.Torch;

/// <summary>Views, reshaping, joining and indexing.</summary>
public sealed partial class Tensor
{
    public unsafe Tensor Reshape(params ReadOnlySpan<long> shape)
    {
        fixed (long* s = shape) return Wrap(Native.ufm_reshape(Handle, s, shape.Length));
    }

    /// <summary>Like <see cref="Reshape"/> but never copies (fails on incompatible strides).</summary>
    public unsafe Tensor View(params ReadOnlySpan<long> shape)
    {
        fixed (long* s = shape) return Wrap(Native.ufm_view(Handle, s, shape.Length));
    }

    public unsafe Tensor Expand(params ReadOnlySpan<long> shape)
    {
        fixed (long* s = shape) return Wrap(Native.ufm_expand(Handle, s, shape.Length));
    }

    public unsafe Tensor Permute(params ReadOnlySpan<long> dims)
    {
        fixed (long* d = dims) return Wrap(Native.ufm_permute(Handle, d, dims.Length));
    }

    public Tensor Transpose(long dim0, long dim1) => Wrap(Native.ufm_transpose(Handle, dim0, dim1));
    public Tensor Squeeze(long dim) => Wrap(Native.ufm_squeeze(Handle, dim));
    public Tensor Unsqueeze(long dim) => Wrap(Native.ufm_unsqueeze(Handle, dim));
    public Tensor Flatten(long startDim = 0, long endDim = -1) => Wrap(Native.ufm_flatten(Handle, startDim, endDim));

    public static unsafe Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        var handles = Handles(tensors);
        fixed (IntPtr* h = handles)
        {
            var result = Wrap(Native.ufm_cat(h, handles.Length, dim));
            GC.KeepAlive(tensors);
            return result;
        }
    }

    public static unsafe Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        var handles = Handles(tensors);
        fixed (IntPtr* h = handles)
        {
            var result = Wrap(Native.ufm_stack(h, handles.Length, dim));
            GC.KeepAlive(tensors);
            return result;
        }
    }

    /// <summary>A view of this tensor's storage with explicit sizes, strides and storage offset
    /// (all in elements), as torch.as_strided: no copy, no bounds beyond the storage's.</summary>
    public unsafe Tensor AsStrided(ReadOnlySpan<long> shape, ReadOnlySpan<long> strides, long storageOffset = 0)
    {
        if (shape.Length != strides.Length)
            throw new ArgumentException($"as_strided: {shape.Length} sizes but {strides.Length} strides", nameof(strides));
        fixed (long* s = shape)
        fixed (long* st = strides)
            return Wrap(Native.ufm_as_strided(Handle, s, st, shape.Length, storageOffset));
    }

    /// <summary>The view of <paramref name="length"/> entries from <paramref name="start"/> along a dim.</summary>
    public Tensor Narrow(long dim, long start, long length) => Wrap(Native.ufm_narrow(Handle, dim, start, length));

    /// <summary>Python's <c>t[start:end:step]</c> along <paramref name="dim"/> (a view).</summary>
    public Tensor Slice(long dim, long start, long end, long step = 1) => Wrap(Native.ufm_slice(Handle, dim, start, end, step));

    /// <summary><c>t[..., index, ...]</c>: drops the dimension.</summary>
    public Tensor Select(long dim, long index) => Wrap(Native.ufm_select(Handle, dim, index));

    public Tensor IndexSelect(long dim, Tensor index) => Wrap(Native.ufm_index_select(Handle, dim, index.Handle));
    public Tensor Gather(long dim, Tensor index) => Wrap(Native.ufm_gather(Handle, dim, index.Handle));

    /// <summary>A copy whose slices at <paramref name="index"/> along <paramref name="dim"/> are <paramref name="source"/>'s.</summary>
    public Tensor IndexCopy(long dim, Tensor index, Tensor source) => Wrap(Native.ufm_index_copy(Handle, dim, index.Handle, source.Handle));
    public Tensor MaskedSelect(Tensor mask) => Wrap(Native.ufm_masked_select(Handle, mask.Handle));

    /// <summary>Coordinates of the non-zero entries, [count, ndim] int64.</summary>
    public Tensor NonZero() => Wrap(Native.ufm_nonzero(Handle));
}

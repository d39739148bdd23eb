namespace Uniformaly.Research.Torch;

/// <summary>Reductions, ordering and selection of extreme values.</summary>
public sealed partial class Tensor
{
    public Tensor Sum() => Wrap(Native.ufm_sum_all(Handle));
    public Tensor Mean() => Wrap(Native.ufm_mean_all(Handle));
    public Tensor Max() => Wrap(Native.ufm_max_all(Handle));
    public Tensor Min() => Wrap(Native.ufm_min_all(Handle));

    public unsafe Tensor Sum(ReadOnlySpan<long> dims, bool keepDim = false)
    {
        fixed (long* d = dims) return Wrap(Native.ufm_sum(Handle, d, dims.Length, keepDim ? 1 : 0));
    }

    public Tensor Sum(long dim, bool keepDim = false) => Sum([dim], keepDim);

    public unsafe Tensor Mean(ReadOnlySpan<long> dims, bool keepDim = false)
    {
        fixed (long* d = dims) return Wrap(Native.ufm_mean(Handle, d, dims.Length, keepDim ? 1 : 0));
    }

    public Tensor Mean(long dim, bool keepDim = false) => Mean([dim], keepDim);

    public Tensor CumSum(long dim) => Wrap(Native.ufm_cumsum(Handle, dim));

    public Tensor ArgMax(long dim, bool keepDim = false) => Wrap(Native.ufm_argmax(Handle, dim, keepDim ? 1 : 0));

    public Tensor ArgMin(long dim, bool keepDim = false) => Wrap(Native.ufm_argmin(Handle, dim, keepDim ? 1 : 0));

    /// <summary>Largest values along <paramref name="dim"/> and where they are.</summary>
    public (Tensor Values, Tensor Indices) Max(long dim, bool keepDim = false) =>
        WrapPair(Native.ufm_max_dim(Handle, dim, keepDim ? 1 : 0, out var v, out var i), v, i);

    public (Tensor Values, Tensor Indices) Min(long dim, bool keepDim = false) =>
        WrapPair(Native.ufm_min_dim(Handle, dim, keepDim ? 1 : 0, out var v, out var i), v, i);

    /// <summary>The k largest (or smallest) entries along <paramref name="dim"/>.</summary>
    public (Tensor Values, Tensor Indices) TopK(long k, long dim = -1, bool largest = true, bool sorted = true) =>
        WrapPair(Native.ufm_topk(Handle, k, dim, largest ? 1 : 0, sorted ? 1 : 0, out var v, out var i), v, i);

    /// <summary>
    /// Folds <paramref name="block"/> [Q, C] (any floating dtype) into a running selection of the k
    /// smallest values per row: <paramref name="values"/> [Q, k] float32 and <paramref name="indices"/>
    /// [Q, k] int64 (updated in place, unordered) hold the smallest values seen so far and their column
    /// numbers, the block's column c being number <paramref name="firstColumn"/> + c. Start from
    /// values = +inf. Every value not kept is at least the largest kept one. Contiguous float32 or
    /// bfloat16 CPU blocks with k ≤ 64 take one fused pass (earlier columns win ties; NaN is never
    /// kept); other blocks two top-k calls.
    /// </summary>
    public static void UpdateSmallest(Tensor values, Tensor indices, Tensor block, long firstColumn) =>
        TorchException.Check(Native.ufm_update_smallest(block.Handle, firstColumn, values.Handle, indices.Handle));

    /// <summary>Sorted values and the permutation; stable keeps equal elements in input order.</summary>
    public (Tensor Values, Tensor Indices) Sort(long dim = -1, bool descending = false, bool stable = true) =>
        WrapPair(Native.ufm_sort(Handle, dim, descending ? 1 : 0, stable ? 1 : 0, out var v, out var i), v, i);
}

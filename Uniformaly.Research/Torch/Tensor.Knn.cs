namespace Uniformaly.Research.Torch;

/// <summary>The CPU kernels of the certified bfloat16 nearest-neighbour search (native/src/ops_knn.cpp).</summary>
public sealed partial class Tensor
{
    /// <summary>Whether this CPU runs <see cref="BFloat16RankingSmallest"/> (it needs AVX512-BF16).</summary>
    public static bool BFloat16RankingAvailable => Native.ufm_bf16_ranking_available() != 0;

    /// <summary>An augmented bfloat16 bank [M, D + 2] on the CPU in the layout <see cref="BFloat16RankingSmallest"/>
    /// reads: [⌈M/32⌉, ⌈(D + 2)/2⌉, 32, 2] bfloat16, panels of 32 rows pair by pair, zero past the ends.</summary>
    public static Tensor BFloat16RankingPanels(Tensor augmented) => Wrap(Native.ufm_bf16_ranking_panels(augmented.Handle));

    /// <summary>
    /// Per query of <paramref name="queries"/> [Q, D] (float32, CPU) the <paramref name="k"/> bank rows
    /// with the smallest |b̃|² − 2q̃·b̃ (q̃ = bf16(q)), each the float32 accumulation of one bfloat16 dot
    /// product over the augmented width of <paramref name="panels"/> (<see cref="BFloat16RankingPanels"/>
    /// of a bank of <paramref name="bankRows"/> rows), in one fused pass that never writes the [Q, M]
    /// block. Values [Q, k] float32 and rows [Q, k] int64, ascending, ties to the lower row (+inf and
    /// −1 where fewer rows are usable); every row left out has a value at least the largest kept.
    /// Rounding [Q, 2] float64: |q̃|² and |q − q̃|². Needs <see cref="BFloat16RankingAvailable"/>.
    /// </summary>
    public static (Tensor Values, Tensor Rows, Tensor Rounding) BFloat16RankingSmallest(Tensor panels, long bankRows, Tensor queries, int k)
    {
        var status = Native.ufm_bf16_ranking_smallest(panels.Handle, bankRows, queries.Handle, k, out var values, out var rows, out var rounding);
        if (status != 0)
        {
            var error = TorchException.FromLastError();
            foreach (var handle in new[] { values, rows, rounding }) handle.Dispose();
            throw error;
        }
        return (Wrap(values), Wrap(rows), Wrap(rounding));
    }

    /// <summary>The <paramref name="n"/> nearest of each query's <paramref name="candidates"/> [Q, C]
    /// (int64 bank rows; −1 for none, counted as +inf) by the float32 Σ(q − b)² over
    /// <paramref name="bank"/> [M, D] and <paramref name="queries"/> [Q, D] (float32, CPU): distances
    /// [Q, n] and rows [Q, n], ascending, equal distances to the lower row, NaN last.</summary>
    public static (Tensor Distances, Tensor Rows) NearestCandidates(Tensor bank, Tensor queries, Tensor candidates, int n) =>
        WrapPair(Native.ufm_nearest_candidates(bank.Handle, queries.Handle, candidates.Handle, n, out var d, out var r), d, r);
}

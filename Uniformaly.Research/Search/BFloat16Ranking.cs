using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Search;

/// <summary>
/// The candidate pass of <see cref="SearchPrecision.CertifiedBFloat16"/>: ranks the bank by a
/// bfloat16 GEMM and proves, per query, which bank rows it may safely leave out.
/// </summary>
/// <remarks>
/// <para>The bank is kept as an augmented bfloat16 matrix [b̃, hi, lo] [M, D + 2] (b̃ = bf16(b);
/// hi + lo = |b̃|², split into two bfloat16 numbers so that 16 bits of it survive) and each query
/// batch as [−2q̃, 1, 1], so one plain mm yields |b̃|² − 2q̃·b̃ per (query, row) with no separate
/// bias pass. <see cref="Tensor.UpdateSmallest"/> keeps the k smallest per query across chunks.</para>
/// <para>Why leaving rows out is sound (<see cref="LowerBoundOfExcluded"/>): every left-out row j
/// has a bfloat16 value v_j ≥ t, the largest kept value (a running k-smallest selection never drops
/// a value below what it keeps). bf16 rounds to nearest, so the float32 accumulator s_j behind v_j
/// is at least t − u|t| (u = 2⁻⁸). The products of bfloat16 numbers are exact in float32 and the
/// D + 2 terms are summed in float32, erring by at most γ·Σ|terms| ≤ γ·(2|q̃|B̃ + (1 + 2u)B̃²) with
/// γ = 2(D + 2)ε/(1 − 2(D + 2)ε) (ε = 2⁻²⁴; the factor 2 allows accumulators that truncate instead
/// of rounding, as tensor cores do) plus (2|q̃| + 2B̃ + 1)(D + 3)·2⁻¹²⁶ for subnormal inputs,
/// products and sums flushed to zero (bf16 dot-product instructions do); B̃ = max |b̃_j|.
/// hi + lo misses |b̃_j|² by at most ((u + 2ε)² + 10⁻¹²)B̃². Adding |q̃|² (float64) gives a lower
/// bound L on |q̃ − b̃_j|², and the triangle inequality moves it to the float32 vectors:
/// |q − b_j| ≥ √L − |q − q̃| − max_j |b_j − b̃_j|, both rounding distances measured exactly (float64)
/// rather than bounded. The bound is evaluated in float64, so its own rounding is negligible; any
/// NaN or infinity makes it fail, never pass. It assumes the GEMM accumulates in float32: true for
/// oneDNN on CPUs and for cuBLAS's float32 compute type once reduced-precision (bfloat16) split-K
/// reductions are switched off, which the constructor does on CUDA
/// (<see cref="TorchRuntime.DisallowReducedPrecisionBFloat16Reductions"/>); a libtorch without
/// that switch (1.13) cannot run this mode on CUDA.</para>
/// </remarks>
internal sealed class BFloat16Ranking : IDisposable
{
    private const double U = 1.0 / 256, Epsilon = 1.0 / (1 << 24), Tiny = 1.1754943508222875e-38;

    private readonly Tensor _augmented;
    private readonly double _maxRoundedNorm;
    private readonly double _maxRoundingDistance;

    /// <param name="features">The bank [M, D] (any floating dtype).</param>
    /// <exception cref="NotSupportedException">On CUDA, when cuBLAS cannot be made to reduce in float32.</exception>
    public BFloat16Ranking(Tensor features)
    {
        if (features.Device.IsCuda && !TorchRuntime.DisallowReducedPrecisionBFloat16Reductions())
            throw new NotSupportedException(
                $"the certified bfloat16 search needs cuBLAS to reduce in float32, which libtorch {TorchRuntime.Version} cannot be told (PyTorch 2.0 or later can); use the float32 search");
        using var scope = new DisposeScope();
        Dim = features.Size(1);
        var rounded = features.To(DType.BFloat16);
        var exact = rounded.To(DType.Float64);
        var norms = (exact * exact).Sum(1, keepDim: true);
        var hi = norms.To(DType.BFloat16);
        var lo = (norms - hi.To(DType.Float64)).To(DType.BFloat16);
        _augmented = Tensor.Cat([rounded, hi, lo], 1).DetachFromDisposeScope();
        var error = features.To(DType.Float64) - exact;
        _maxRoundingDistance = (error * error).Sum(1).Max().Sqrt().Item() * (1 + 1e-12);
        _maxRoundedNorm = norms.Max().Sqrt().Item() * (1 + 1e-12);
    }

    /// <summary>D, the feature width.</summary>
    public long Dim { get; }

    /// <summary>Per query the <paramref name="count"/> bank rows [Q, count] (unordered) with the
    /// smallest bfloat16 |b̃|² − 2q̃·b̃, scanning <paramref name="chunkRows"/> rows per GEMM, and the
    /// largest kept value t [Q] (float32), which bounds every row left out from below.</summary>
    public (Tensor Threshold, Tensor Rows) Candidates(Tensor q, int count, long chunkRows)
    {
        using var scope = new DisposeScope();
        var (queries, bankRows) = (q.Size(0), _augmented.Size(0));
        var ones = Tensor.Full([queries, 2], 1.0, DType.BFloat16, q.Device);
        var augmentedQueries = Tensor.Cat([q.To(DType.BFloat16) * -2.0, ones], 1);
        var values = Tensor.Full([queries, count], double.PositiveInfinity, DType.Float32, q.Device);
        var rows = Tensor.Full([queries, count], -1, DType.Int64, q.Device);
        for (long start = 0; start < bankRows; start += chunkRows)
        {
            using var block = augmentedQueries.Mm(_augmented.Narrow(0, start, Math.Min(chunkRows, bankRows - start)).Transpose(0, 1));
            Tensor.UpdateSmallest(values, rows, block, start);
        }
        var (threshold, _) = values.Max(1);
        return (scope.MoveToOuter(threshold), scope.MoveToOuter(rows));
    }

    /// <summary>
    /// Per query [Q] (float64) a lower bound on the squared float32 distance |q − b_j|² of every bank
    /// row j that <see cref="Candidates"/> left out, from its <paramref name="threshold"/> t [Q];
    /// NaN where the inputs are not finite (which no comparison accepts).
    /// </summary>
    public Tensor LowerBoundOfExcluded(Tensor q, Tensor threshold)
    {
        using var scope = new DisposeScope();
        var (d, b) = ((double)Dim, _maxRoundedNorm);
        var exact = q.To(DType.Float64);
        var rounded = q.To(DType.BFloat16).To(DType.Float64);
        var roundedNormSquared = (rounded * rounded).Sum(1) * (1 - 1e-12);
        var error = exact - rounded;
        var queryRounding = (error * error).Sum(1).Sqrt() * (1 + 1e-12);
        var t = threshold.To(DType.Float64);
        var gamma = 2 * (d + 2) * Epsilon / (1 - 2 * (d + 2) * Epsilon);
        var roundedNorm = roundedNormSquared.Sqrt();
        var accumulation = (roundedNorm * (2 * b) + (1 + 2 * U) * b * b) * gamma + (roundedNorm * 2 + 2 * b + 1) * ((d + 3) * Tiny);
        var split = ((U + 2 * Epsilon) * (U + 2 * Epsilon) + 1e-12) * b * b;
        // t = ±inf (an overflowed GEMM) gives NaN or 0 below, so nothing is proven.
        var roundedDistance = roundedNormSquared + t - t.Abs() * U - Tiny - accumulation - split;
        var distance = (roundedDistance.Clamp(min: 0).Sqrt() - queryRounding - _maxRoundingDistance).Clamp(min: 0);
        return scope.MoveToOuter(distance * distance);
    }

    public void Dispose() => _augmented.Dispose();
}

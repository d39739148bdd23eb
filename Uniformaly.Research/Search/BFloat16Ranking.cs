using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Search;

/// <summary>The candidates of one certified search: per query the kept bank <see cref="Rows"/>
/// [Q, k] (int64), the largest kept value <see cref="Threshold"/> t [Q] (float32), which bounds every
/// row left out from below, and <see cref="Rounding"/> [Q, 2] (float64): |q̃|² and |q − q̃|².</summary>
internal sealed record RankedCandidates(Tensor Rows, Tensor Threshold, Tensor Rounding);

/// <summary>
/// The candidate pass of <see cref="SearchPrecision.CertifiedBFloat16"/>: ranks the bank by a
/// bfloat16 GEMM and proves, per query, which bank rows it may safely leave out.
/// </summary>
/// <remarks>
/// <para>The bank is kept as an augmented bfloat16 matrix [b̃, hi, lo] [M, D + 2] (b̃ = bf16(b);
/// hi + lo = |b̃|², split into two bfloat16 numbers so that 16 bits of it survive) and each query
/// batch as [−2q̃, 1, 1], so one dot product yields |b̃|² − 2q̃·b̃ per (query, row) with no separate
/// bias pass. On a CPU with AVX512-BF16 one fused native pass
/// (<see cref="Tensor.BFloat16RankingSmallest"/>) computes it tile by tile in registers and keeps the
/// k smallest float32 accumulators per query, never writing the [Q, M] block; elsewhere (CUDA, other
/// CPUs) a bfloat16 mm per chunk of rows gives bfloat16 values and <see cref="Tensor.UpdateSmallest"/>
/// keeps the k smallest across chunks.</para>
/// <para>Why leaving rows out is sound (<see cref="LowerBoundOfExcluded"/>): every left-out row j
/// has a value v_j ≥ t, the largest kept value (a running k-smallest selection never drops a value
/// below what it keeps). The fused pass keeps the float32 accumulator s_j itself (v_j = s_j); the
/// chunked path rounds it to bfloat16 to nearest, so there s_j is at least t − u|t| (u = 2⁻⁸, the
/// output rounding, 0 for the fused pass). The products of bfloat16 numbers are exact in float32 and the
/// D + 2 terms are summed in float32, erring by at most γ·Σ|terms| ≤ γ·(2|q̃|B̃ + (1 + 2u)B̃²) with
/// γ = 2(D + 2)ε/(1 − 2(D + 2)ε) (ε = 2⁻²⁴; the factor 2 allows accumulators that truncate instead
/// of rounding, as tensor cores do) plus (2|q̃| + 2B̃ + 1)(D + 3)·2⁻¹²⁶ for subnormal inputs,
/// products and sums flushed to zero (bf16 dot-product instructions do); B̃ = max |b̃_j|.
/// hi + lo misses |b̃_j|² by at most ((u + 2ε)² + 10⁻¹²)B̃². Adding |q̃|² (float64) gives a lower
/// bound L on |q̃ − b̃_j|², and the triangle inequality moves it to the float32 vectors:
/// |q − b_j| ≥ √L − |q − q̃| − max_j |b_j − b̃_j|, both rounding distances measured exactly (float64)
/// rather than bounded. The bound is evaluated in float64, so its own rounding is negligible; any
/// NaN or infinity makes it fail, never pass. It assumes the GEMM accumulates in float32: true for
/// the fused pass (vdpbf16ps), for oneDNN on CPUs and for cuBLAS's float32 compute type once
/// reduced-precision (bfloat16) split-K reductions are switched off, which the constructor does on CUDA
/// (<see cref="TorchRuntime.DisallowReducedPrecisionBFloat16Reductions"/>); a libtorch without
/// that switch (1.13) cannot run this mode on CUDA.</para>
/// </remarks>
internal sealed class BFloat16Ranking : IDisposable
{
    private const double U = 1.0 / 256, Epsilon = 1.0 / (1 << 24), Tiny = 1.1754943508222875e-38;

    private readonly Tensor? _augmented;
    private readonly Tensor? _panels;
    private readonly long _rows;
    private readonly double _maxRoundedNorm;
    private readonly double _maxRoundingDistance;

    /// <param name="features">The bank [M, D] (any floating dtype).</param>
    /// <param name="fused">Use the fused CPU pass where the bank is on a CPU with AVX512-BF16 (false:
    /// always the chunked path, which tests compare it with).</param>
    /// <exception cref="NotSupportedException">On CUDA, when cuBLAS cannot be made to reduce in float32.</exception>
    public BFloat16Ranking(Tensor features, bool fused = true)
    {
        if (features.Device.IsCuda && !TorchRuntime.DisallowReducedPrecisionBFloat16Reductions())
            throw new NotSupportedException(
                $"the certified bfloat16 search needs cuBLAS to reduce in float32, which libtorch {TorchRuntime.Version} cannot be told (PyTorch 2.0 or later can); use the float32 search");
        using var scope = new DisposeScope();
        (_rows, Dim) = (features.Size(0), features.Size(1));
        var rounded = features.To(DType.BFloat16);
        var exact = rounded.To(DType.Float64);
        var norms = (exact * exact).Sum(1, keepDim: true);
        var hi = norms.To(DType.BFloat16);
        var lo = (norms - hi.To(DType.Float64)).To(DType.BFloat16);
        var augmented = Tensor.Cat([rounded, hi, lo], 1);
        if (fused && !features.Device.IsCuda && Tensor.BFloat16RankingAvailable)
            _panels = Tensor.BFloat16RankingPanels(augmented).DetachFromDisposeScope();
        else
            _augmented = augmented.DetachFromDisposeScope();
        var error = features.To(DType.Float64) - exact;
        _maxRoundingDistance = (error * error).Sum(1).Max().Sqrt().Item() * (1 + 1e-12);
        _maxRoundedNorm = norms.Max().Sqrt().Item() * (1 + 1e-12);
    }

    /// <summary>D, the feature width.</summary>
    public long Dim { get; }

    /// <summary>Whether the fused CPU pass ranks (else the chunked bfloat16 mm).</summary>
    public bool Fused => _panels is not null;

    /// <summary>Per query the <paramref name="count"/> bank rows with the smallest value of
    /// |b̃|² − 2q̃·b̃ (the chunked path scanning <paramref name="chunkRows"/> rows per GEMM).</summary>
    public RankedCandidates Candidates(Tensor q, int count, long chunkRows)
    {
        using var scope = new DisposeScope();
        if (_panels is not null)
        {
            var (values, rows, rounding) = Tensor.BFloat16RankingSmallest(_panels, _rows, q, count);
            var (largest, _) = values.Max(1);
            return new RankedCandidates(scope.MoveToOuter(rows), scope.MoveToOuter(largest), scope.MoveToOuter(rounding));
        }
        var queries = q.Size(0);
        var ones = Tensor.Full([queries, 2], 1.0, DType.BFloat16, q.Device);
        var roundedQueries = q.To(DType.BFloat16);
        var augmentedQueries = Tensor.Cat([roundedQueries * -2.0, ones], 1);
        var chunkValues = Tensor.Full([queries, count], double.PositiveInfinity, DType.Float32, q.Device);
        var chunkRowsKept = Tensor.Full([queries, count], -1, DType.Int64, q.Device);
        for (long start = 0; start < _rows; start += chunkRows)
        {
            using var block = augmentedQueries.Mm(_augmented!.Narrow(0, start, Math.Min(chunkRows, _rows - start)).Transpose(0, 1));
            Tensor.UpdateSmallest(chunkValues, chunkRowsKept, block, start);
        }
        var (threshold, _) = chunkValues.Max(1);
        var exact = q.To(DType.Float64);
        var roundedExact = roundedQueries.To(DType.Float64);
        var error = exact - roundedExact;
        var stats = Tensor.Stack([(roundedExact * roundedExact).Sum(1), (error * error).Sum(1)], 1);
        return new RankedCandidates(scope.MoveToOuter(chunkRowsKept), scope.MoveToOuter(threshold), scope.MoveToOuter(stats));
    }

    /// <summary>
    /// Per query [Q] (float64) a lower bound on the squared float32 distance |q − b_j|² of every bank
    /// row j that <see cref="Candidates"/> left out, from its threshold t and the query's rounding;
    /// NaN where the inputs are not finite (which no comparison accepts).
    /// </summary>
    public Tensor LowerBoundOfExcluded(RankedCandidates candidates)
    {
        using var scope = new DisposeScope();
        var (d, b) = ((double)Dim, _maxRoundedNorm);
        var outputRounding = Fused ? 0 : U;
        var roundedNormSquared = candidates.Rounding.Select(1, 0) * (1 - 1e-12);
        var queryRounding = candidates.Rounding.Select(1, 1).Sqrt() * (1 + 1e-12);
        var t = candidates.Threshold.To(DType.Float64);
        var gamma = 2 * (d + 2) * Epsilon / (1 - 2 * (d + 2) * Epsilon);
        var roundedNorm = roundedNormSquared.Sqrt();
        var accumulation = (roundedNorm * (2 * b) + (1 + 2 * U) * b * b) * gamma + (roundedNorm * 2 + 2 * b + 1) * ((d + 3) * Tiny);
        var split = ((U + 2 * Epsilon) * (U + 2 * Epsilon) + 1e-12) * b * b;
        // t = ±inf (an overflowed GEMM, or fewer finite values than candidates) makes t − |t|·u NaN
        // (∞·0 is NaN too), and NaN proves nothing.
        var roundedDistance = roundedNormSquared + t - t.Abs() * outputRounding - Tiny - accumulation - split;
        var distance = (roundedDistance.Clamp(min: 0).Sqrt() - queryRounding - _maxRoundingDistance).Clamp(min: 0);
        return scope.MoveToOuter(distance * distance);
    }

    public void Dispose()
    {
        _augmented?.Dispose();
        _panels?.Dispose();
    }
}

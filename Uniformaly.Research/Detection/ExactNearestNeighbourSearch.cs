using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Detection;

/// <summary>How the search computes distances.</summary>
public enum SearchPrecision
{
    /// <summary>Float32 throughout: the exact reference (SPEC section 7), the default.</summary>
    Float32,

    /// <summary>
    /// Opt-in speed-up that keeps the exact answer: a bfloat16 GEMM (twice float32's throughput on
    /// CPUs with bf16 units and on tensor cores) ranks the bank; the best candidates of each query are
    /// measured in float32; a query is accepted only when a rigorous bound on the bfloat16 rounding
    /// proves that no other bank row can be nearer, and every other query is searched again in
    /// float32. The returned neighbours are the exact ones (exact ties aside); distances are float32.
    /// </summary>
    CertifiedBFloat16,
}

/// <summary>
/// Nearest-neighbour search over a <see cref="MemoryBank"/> (SPEC section 7): |q|² − 2q·b + |b|²,
/// clamped at 0, in chunks of bank rows so that memory stays bounded whatever the bank size,
/// keeping a running top-n_nn minimum across chunks. Exact float32 by default.
/// </summary>
/// <remarks>
/// Per chunk one addmm computes |b|² − 2q·b: −2 is folded into the GEMM's alpha and |b|² comes in
/// as its broadcast input, so the [Q, chunk] block is written once by the GEMM and read once by
/// the min/top-k. |q|² is constant along a row, so it does not change which rows are nearest and
/// is added to the [Q, n_nn] result only.
/// </remarks>
public sealed class ExactNearestNeighbourSearch : INearestNeighbourSearch, IDisposable
{
    /// <summary>Candidates per query that <see cref="SearchPrecision.CertifiedBFloat16"/> measures in
    /// float32 by default: enough that on unstructured (Gaussian) data 99.9 % of queries are certified.</summary>
    public const int DefaultRerankCandidates = 32;

    /// <summary>Unit roundoff of bfloat16 (8 significant bits) and of float32.</summary>
    private const double BFloat16Roundoff = 1.0 / 256, Float32Roundoff = 1.0 / (1 << 24);

    private readonly MemoryBank _bank;
    private readonly Tensor? _rankRows;
    private readonly Tensor? _rankNorms;
    private readonly double _maxBankNorm;

    /// <param name="bank">The bank to search; the caller keeps ownership.</param>
    /// <param name="memoryBudgetBytes">Bytes for one [Q, chunk] distance block; null: <see cref="SearchMemoryBudget.DefaultBytes"/>.</param>
    /// <param name="chunkRows">Fixed bank rows per chunk, overriding the budget (null: from the budget).</param>
    /// <param name="precision">Float32 or CertifiedBFloat16, which keeps a bfloat16 copy of the
    /// bank (half the float32 bank's memory) unless the bank is stored as bfloat16.</param>
    /// <param name="rerankCandidates">Candidates per query for CertifiedBFloat16 (at least n_nn are used).</param>
    public ExactNearestNeighbourSearch(MemoryBank bank, long? memoryBudgetBytes = null, long? chunkRows = null,
        SearchPrecision precision = SearchPrecision.Float32, int rerankCandidates = DefaultRerankCandidates)
    {
        _bank = bank ?? throw new ArgumentNullException(nameof(bank));
        MemoryBudgetBytes = memoryBudgetBytes ?? SearchMemoryBudget.DefaultBytes(bank.Device);
        if (MemoryBudgetBytes < 1) throw new ArgumentOutOfRangeException(nameof(memoryBudgetBytes), memoryBudgetBytes, "memory budget must be positive");
        if (chunkRows is < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, "chunk rows must be at least 1");
        if (rerankCandidates < 1) throw new ArgumentOutOfRangeException(nameof(rerankCandidates), rerankCandidates, "must be at least 1");
        FixedChunkRows = chunkRows;
        Precision = precision;
        RerankCandidates = rerankCandidates;
        if (precision == SearchPrecision.CertifiedBFloat16)
        {
            _rankRows = bank.Features.To(DType.BFloat16).DetachFromDisposeScope();
            _rankNorms = bank.SquaredNorms.To(DType.BFloat16).DetachFromDisposeScope();
        }
        using (var maximum = bank.SquaredNorms.Max()) _maxBankNorm = Math.Sqrt(maximum.Item());
    }

    public long MemoryBudgetBytes { get; }

    public long? FixedChunkRows { get; }

    public SearchPrecision Precision { get; }

    public int RerankCandidates { get; }

    /// <summary>Bank rows per chunk for a search of <paramref name="queries"/> rows.</summary>
    public long ChunkRows(long queries, int neighbours = 1) =>
        Math.Min(_bank.Count, Math.Max(neighbours, FixedChunkRows ?? SearchMemoryBudget.ChunkRows(MemoryBudgetBytes, queries, _bank.Count, neighbours)));

    /// <inheritdoc/>
    public NearestNeighbours Search(Tensor queries, int neighbours = 1)
    {
        Validate(queries, neighbours);
        using var scope = new DisposeScope();
        var q = queries.To(_bank.Device, DType.Float32);
        var (distances, rows) = Precision == SearchPrecision.Float32 ? ExactFloat32(q, neighbours) : Certified(q, neighbours);
        return new NearestNeighbours(scope.MoveToOuter(distances), scope.MoveToOuter(rows));
    }

    /// <summary>The float32 search: squared distances and rows [Q, n_nn].</summary>
    private (Tensor Distances, Tensor Rows) ExactFloat32(Tensor q, int neighbours)
    {
        var (partial, rows) = Scan(q, neighbours);
        return ((partial + (q * q).Sum(1, keepDim: true)).Clamp(min: 0), rows);
    }

    /// <summary>bfloat16 ranking, float32 measurement of the candidates, proof or float32 fallback per query.</summary>
    private (Tensor Distances, Tensor Rows) Certified(Tensor q, int neighbours)
    {
        var candidates = Math.Max(neighbours, RerankCandidates);
        if (candidates >= _bank.Count) return ExactFloat32(q, neighbours);
        var (approximate, ranked) = Scan(q.To(DType.BFloat16), candidates + 1);
        var (distances, rows) = Rerank(q, ranked.Narrow(1, 0, candidates), neighbours);
        var unproven = Unproven(q, approximate.Select(1, candidates).To(DType.Float32), distances.Select(1, neighbours - 1));
        if (unproven.Size(0) == 0) return (distances, rows);
        var (exactDistances, exactRows) = ExactFloat32(q.IndexSelect(0, unproven), neighbours);
        return (distances.IndexCopy(0, unproven, exactDistances), rows.IndexCopy(0, unproven, exactRows));
    }

    /// <summary>
    /// The queries [U] for which some bank row outside the candidates might be nearer than the
    /// n_nn-th candidate. Every excluded row j ranked at or above <paramref name="nextApproximate"/>
    /// (the first excluded bfloat16 value of |b|² − 2q·b), and that value errs from the true one by at
    /// most E = 2u·B² + (6u + 2u² + 2D·ε)·|q|·B (u: bf16 roundoff of the inputs, the product and the
    /// output; ε: float32 roundoff of the accumulation; B: the largest bank norm), taken 1.5 times
    /// for safety. So |q − b_j|² ≥ next − E + |q|²; when that exceeds the n_nn-th float32 candidate
    /// distance (plus its own float32 rounding), no excluded row can enter the result.
    /// </summary>
    private Tensor Unproven(Tensor q, Tensor nextApproximate, Tensor worstKept)
    {
        using var scope = new DisposeScope();
        var (u, eps, b, d) = (BFloat16Roundoff, Float32Roundoff, _maxBankNorm, (double)_bank.Dim);
        var queryNorm = (q * q).Sum(1).Sqrt();
        var bound = (queryNorm * ((6 * u + 2 * u * u + 2 * d * eps) * b) + 2 * u * b * b) * 1.5;
        var slack = (queryNorm + b).Pow(2) * (4 * d * eps);
        var lowestExcluded = nextApproximate - bound + queryNorm * queryNorm;
        return scope.MoveToOuter((lowestExcluded <= worstKept + slack).NonZero().Flatten());
    }

    /// <summary>Running top-<paramref name="count"/> of |b|² − 2q·b over all chunks: values and bank rows [Q, count].
    /// Float32 queries scan the float32 bank; bfloat16 queries scan the bfloat16 ranking copy.</summary>
    private (Tensor Values, Tensor Rows) Scan(Tensor q, int count)
    {
        var (bankRows, bankNorms) = q.DType == DType.BFloat16 ? (_rankRows!, _rankNorms!) : (_bank.Features, _bank.SquaredNorms);
        var chunk = ChunkRows(q.Size(0), count);
        Tensor? best = null, bestRows = null;
        for (long start = 0; start < _bank.Count; start += chunk)
        {
            var (values, rows) = SearchChunk(q, bankRows, bankNorms, start, Math.Min(chunk, _bank.Count - start), count);
            (best, bestRows) = best is null ? (values, rows) : Merge(best, bestRows!, values, rows, count);
        }
        return (best!, bestRows!);
    }

    /// <summary>|b|² − 2q·b over bank rows [start, start + length), reduced to the chunk's
    /// <paramref name="count"/> smallest: values and bank row indices [Q, count].</summary>
    private static (Tensor Values, Tensor Rows) SearchChunk(Tensor q, Tensor bankRows, Tensor bankNorms, long start, long length, int count)
    {
        using var scope = new DisposeScope();
        var rows = bankRows.Narrow(0, start, length);
        if (rows.DType != q.DType) rows = rows.To(q.DType); // a float16/bfloat16-stored bank, searched in float32
        var partial = Tensor.AddMm(bankNorms.Narrow(0, start, length), q, rows.Transpose(0, 1), beta: 1, alpha: -2);
        var (values, indices) = count == 1
            ? partial.Min(1, keepDim: true)
            : partial.TopK(count, dim: 1, largest: false, sorted: true);
        if (start != 0) indices = indices.Add(start); // the long overload keeps int64
        return (scope.MoveToOuter(values), scope.MoveToOuter(indices));
    }

    /// <summary>The <paramref name="count"/> smallest of the running and the new candidates [Q, count]
    /// each; on ties the earlier (lower) bank row is kept for count = 1.</summary>
    private static (Tensor, Tensor) Merge(Tensor best, Tensor bestRows, Tensor values, Tensor rows, int count)
    {
        using var scope = new DisposeScope();
        Tensor mergedValues, mergedRows;
        if (count == 1)
        {
            var closer = values < best;
            mergedValues = Tensor.Where(closer, values, best);
            mergedRows = Tensor.Where(closer, rows, bestRows);
        }
        else
        {
            var (top, positions) = Tensor.Cat([best, values], 1).TopK(count, dim: 1, largest: false, sorted: true);
            mergedValues = top;
            mergedRows = Tensor.Cat([bestRows, rows], 1).Gather(1, positions);
        }
        foreach (var t in new[] { best, bestRows, values, rows }) t.Dispose();
        return (scope.MoveToOuter(mergedValues), scope.MoveToOuter(mergedRows));
    }

    /// <summary>Exact float32 squared distances Σ(q − b)² to the candidate rows [Q, C], then the
    /// <paramref name="neighbours"/> nearest: distances and rows [Q, n_nn].</summary>
    private (Tensor, Tensor) Rerank(Tensor q, Tensor candidates, int neighbours)
    {
        using var scope = new DisposeScope();
        var (queryCount, count) = (candidates.Size(0), candidates.Size(1));
        var rows = _bank.Features.IndexSelect(0, candidates.Flatten()).To(DType.Float32).View(queryCount, count, _bank.Dim);
        var difference = q.Unsqueeze(1) - rows;
        var (distances, positions) = (difference * difference).Sum(2).TopK(neighbours, dim: 1, largest: false, sorted: true);
        return (scope.MoveToOuter(distances), scope.MoveToOuter(candidates.Gather(1, positions)));
    }

    private void Validate(Tensor queries, int neighbours)
    {
        if (queries.Dim != 2 || queries.Size(1) != _bank.Dim || !queries.DType.IsFloatingPoint())
            throw new ArgumentException($"queries must be floating-point [Q, {_bank.Dim}], got {queries}", nameof(queries));
        if (neighbours < 1 || neighbours > _bank.Count)
            throw new ArgumentOutOfRangeException(nameof(neighbours), neighbours, $"n_nn must be in [1, {_bank.Count}] (the bank size)");
    }

    /// <summary>Frees the search's own copies (the bfloat16 ranking copy); the bank stays.</summary>
    public void Dispose()
    {
        _rankRows?.Dispose();
        _rankNorms?.Dispose();
    }
}

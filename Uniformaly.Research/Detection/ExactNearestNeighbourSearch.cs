using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Detection;

/// <summary>How the search computes distances.</summary>
public enum SearchPrecision
{
    /// <summary>Float32 throughout: the exact reference (SPEC section 7), the default.</summary>
    Float32,

    /// <summary>Opt-in speed-up: a bfloat16 GEMM ranks the bank and keeps a few candidates per query,
    /// whose distances are then computed exactly in float32. Returned distances are exact for the
    /// returned rows; a row can differ from the exact search's only when the true nearest row
    /// ranks below the candidates under bfloat16 rounding (distances within that rounding).</summary>
    BFloat16Rerank,
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
    /// <summary>Candidates per query that <see cref="SearchPrecision.BFloat16Rerank"/> keeps by default.</summary>
    public const int DefaultRerankCandidates = 8;

    private readonly MemoryBank _bank;
    private readonly Tensor _rankRows;
    private readonly Tensor _rankNorms;

    /// <param name="bank">The bank to search; the caller keeps ownership.</param>
    /// <param name="memoryBudgetBytes">Bytes for one [Q, chunk] distance block; null: <see cref="SearchMemoryBudget.DefaultBytes"/>.</param>
    /// <param name="chunkRows">Fixed bank rows per chunk, overriding the budget (null: from the budget).</param>
    /// <param name="precision">Float32 (exact) or BFloat16Rerank, which keeps a bfloat16 copy of the
    /// bank (half the float32 bank's memory) unless the bank is stored as bfloat16.</param>
    /// <param name="rerankCandidates">Candidates per query for BFloat16Rerank (at least n_nn are used).</param>
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
        var rankType = precision == SearchPrecision.Float32 ? bank.StorageType : DType.BFloat16;
        _rankRows = bank.Features.To(rankType).DetachFromDisposeScope();
        _rankNorms = bank.SquaredNorms.To(precision == SearchPrecision.Float32 ? DType.Float32 : DType.BFloat16).DetachFromDisposeScope();
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
        Tensor distances, rows;
        if (Precision == SearchPrecision.Float32)
        {
            (var partial, rows) = Scan(q, neighbours);
            distances = (partial + (q * q).Sum(1, keepDim: true)).Clamp(min: 0);
        }
        else
        {
            var (_, candidates) = Scan(q.To(DType.BFloat16), (int)Math.Min(_bank.Count, Math.Max(neighbours, RerankCandidates)));
            (distances, rows) = Rerank(q, candidates, neighbours);
        }
        return new NearestNeighbours(scope.MoveToOuter(distances), scope.MoveToOuter(rows));
    }

    /// <summary>Running top-<paramref name="count"/> of |b|² − 2q·b over all chunks: values and bank rows [Q, count].</summary>
    private (Tensor Values, Tensor Rows) Scan(Tensor q, int count)
    {
        var chunk = ChunkRows(q.Size(0), count);
        Tensor? best = null, bestRows = null;
        for (long start = 0; start < _bank.Count; start += chunk)
        {
            var (values, rows) = SearchChunk(q, start, Math.Min(chunk, _bank.Count - start), count);
            (best, bestRows) = best is null ? (values, rows) : Merge(best, bestRows!, values, rows, count);
        }
        return (best!, bestRows!);
    }

    /// <summary>|b|² − 2q·b over bank rows [start, start + length), reduced to the chunk's
    /// <paramref name="count"/> smallest: values and bank row indices [Q, count].</summary>
    private (Tensor Values, Tensor Rows) SearchChunk(Tensor q, long start, long length, int count)
    {
        using var scope = new DisposeScope();
        var rows = _rankRows.Narrow(0, start, length);
        if (rows.DType != q.DType) rows = rows.To(q.DType);
        var partial = Tensor.AddMm(_rankNorms.Narrow(0, start, length), q, rows.Transpose(0, 1), beta: 1, alpha: -2);
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
        _rankRows.Dispose();
        _rankNorms.Dispose();
    }
}

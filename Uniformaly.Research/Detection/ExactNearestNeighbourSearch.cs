using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Detection;

/// <summary>
/// Exact float32 nearest-neighbour search over a <see cref="MemoryBank"/> (SPEC section 7):
/// |q|² − 2q·b + |b|², clamped at 0, in chunks of bank rows so that memory stays bounded
/// whatever the bank size, keeping a running top-n_nn minimum across chunks.
/// </summary>
/// <remarks>
/// Per chunk one addmm computes |b|² − 2q·b: −2 is folded into the GEMM's alpha and |b|² comes in
/// as its broadcast input, so the [Q, chunk] block is written once by the GEMM and read once by
/// the min/top-k. |q|² is constant along a row, so it does not change which rows are nearest and
/// is added to the [Q, n_nn] result only.
/// </remarks>
public sealed class ExactNearestNeighbourSearch : INearestNeighbourSearch
{
    private readonly MemoryBank _bank;

    /// <param name="bank">The bank to search; the caller keeps ownership.</param>
    /// <param name="memoryBudgetBytes">Bytes for one [Q, chunk] distance block; null: <see cref="SearchMemoryBudget.DefaultBytes"/>.</param>
    /// <param name="chunkRows">Fixed bank rows per chunk, overriding the budget (null: from the budget).</param>
    public ExactNearestNeighbourSearch(MemoryBank bank, long? memoryBudgetBytes = null, long? chunkRows = null)
    {
        _bank = bank ?? throw new ArgumentNullException(nameof(bank));
        MemoryBudgetBytes = memoryBudgetBytes ?? SearchMemoryBudget.DefaultBytes(bank.Device);
        if (MemoryBudgetBytes < 1) throw new ArgumentOutOfRangeException(nameof(memoryBudgetBytes), memoryBudgetBytes, "memory budget must be positive");
        if (chunkRows is < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, "chunk rows must be at least 1");
        FixedChunkRows = chunkRows;
    }

    public long MemoryBudgetBytes { get; }

    public long? FixedChunkRows { get; }

    /// <summary>Bank rows per chunk for a search of <paramref name="queries"/> rows.</summary>
    public long ChunkRows(long queries, int neighbours = 1) =>
        Math.Min(_bank.Count, Math.Max(neighbours, FixedChunkRows ?? SearchMemoryBudget.ChunkRows(MemoryBudgetBytes, queries, _bank.Count, neighbours)));

    /// <inheritdoc/>
    public NearestNeighbours Search(Tensor queries, int neighbours = 1)
    {
        Validate(queries, neighbours);
        using var scope = new DisposeScope();
        var q = queries.To(_bank.Device, DType.Float32);
        var chunk = ChunkRows(q.Size(0), neighbours);
        Tensor? best = null, bestRows = null;
        for (long start = 0; start < _bank.Count; start += chunk)
        {
            var (values, rows) = SearchChunk(q, start, Math.Min(chunk, _bank.Count - start), neighbours);
            (best, bestRows) = best is null ? (values, rows) : Merge(best, bestRows!, values, rows, neighbours);
        }
        var distances = (best! + (q * q).Sum(1, keepDim: true)).Clamp(min: 0);
        return new NearestNeighbours(scope.MoveToOuter(distances), scope.MoveToOuter(bestRows!));
    }

    /// <summary>|b|² − 2q·b over bank rows [start, start + length), reduced to the chunk's
    /// n_nn smallest: values [Q, n_nn] and bank row indices [Q, n_nn].</summary>
    private (Tensor Values, Tensor Rows) SearchChunk(Tensor q, long start, long length, int neighbours)
    {
        using var scope = new DisposeScope();
        var rows = _bank.Features.Narrow(0, start, length);
        if (rows.DType != DType.Float32) rows = rows.To(DType.Float32);
        var partial = Tensor.AddMm(_bank.SquaredNorms.Narrow(0, start, length), q, rows.Transpose(0, 1), beta: 1, alpha: -2);
        var (values, indices) = neighbours == 1
            ? partial.Min(1, keepDim: true)
            : partial.TopK(neighbours, dim: 1, largest: false, sorted: true);
        if (start != 0) indices = indices.Add(start); // the long overload keeps int64
        return (scope.MoveToOuter(values), scope.MoveToOuter(indices));
    }

    /// <summary>The n_nn smallest of the running and the new candidates [Q, n_nn] each; on ties the
    /// earlier (lower) bank row is kept for n_nn = 1.</summary>
    private static (Tensor, Tensor) Merge(Tensor best, Tensor bestRows, Tensor values, Tensor rows, int neighbours)
    {
        using var scope = new DisposeScope();
        Tensor mergedValues, mergedRows;
        if (neighbours == 1)
        {
            var closer = values < best;
            mergedValues = Tensor.Where(closer, values, best);
            mergedRows = Tensor.Where(closer, rows, bestRows);
        }
        else
        {
            var (top, positions) = Tensor.Cat([best, values], 1).TopK(neighbours, dim: 1, largest: false, sorted: true);
            mergedValues = top;
            mergedRows = Tensor.Cat([bestRows, rows], 1).Gather(1, positions);
        }
        foreach (var t in new[] { best, bestRows, values, rows }) t.Dispose();
        return (scope.MoveToOuter(mergedValues), scope.MoveToOuter(mergedRows));
    }

    private void Validate(Tensor queries, int neighbours)
    {
        if (queries.Dim != 2 || queries.Size(1) != _bank.Dim || !queries.DType.IsFloatingPoint())
            throw new ArgumentException($"queries must be floating-point [Q, {_bank.Dim}], got {queries}", nameof(queries));
        if (neighbours < 1 || neighbours > _bank.Count)
            throw new ArgumentOutOfRangeException(nameof(neighbours), neighbours, $"n_nn must be in [1, {_bank.Count}] (the bank size)");
    }
}

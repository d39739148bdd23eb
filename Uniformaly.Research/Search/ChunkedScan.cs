using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Search;

/// <summary>One chunk of bank rows as the scan sees it: rows [start, start + length) of the bank,
/// [length, D] and their squared norms |b|² [length], on the compute device.</summary>
internal readonly record struct BankChunk(long Start, Tensor Rows, Tensor SquaredNorms);

/// <summary>
/// The float32 exact search's inner loop (docs/method.md section 7), shared by the in-memory and the
/// streaming search so that both compute bit for bit the same thing from the same chunks.
/// </summary>
/// <remarks>
/// Per chunk one addmm computes |b|² − 2q·b: −2 is folded into the GEMM's alpha and |b|² comes in
/// as its broadcast input, so the [Q, chunk] block is written once by the GEMM and read once by
/// the min/top-k. |q|² is constant along a row, so it does not change which rows are nearest and
/// is added to the [Q, n_nn] result only.
/// </remarks>
internal static class ChunkedScan
{
    /// <summary>Squared distances |q|² − 2q·b + |b|² (clamped at 0) and bank rows [Q, n_nn] of the
    /// <paramref name="neighbours"/> nearest rows over all <paramref name="chunks"/>.</summary>
    public static (Tensor Distances, Tensor Rows) Nearest(Tensor q, IEnumerable<BankChunk> chunks, int neighbours)
    {
        var (partial, rows) = Smallest(q, chunks, neighbours);
        return ((partial + (q * q).Sum(1, keepDim: true)).Clamp(min: 0), rows);
    }

    /// <summary>Running top-<paramref name="count"/> of |b|² − 2q·b over all chunks: values and bank rows [Q, count].</summary>
    private static (Tensor Values, Tensor Rows) Smallest(Tensor q, IEnumerable<BankChunk> chunks, int count)
    {
        Tensor? best = null, bestRows = null;
        foreach (var chunk in chunks)
        {
            var (values, rows) = SearchChunk(q, chunk, count);
            (best, bestRows) = best is null ? (values, rows) : Merge(best, bestRows!, values, rows, count);
        }
        return (best!, bestRows!);
    }

    /// <summary>|b|² − 2q·b over one chunk, reduced to its <paramref name="count"/> smallest
    /// (fewer when the chunk is shorter): values and bank row indices [Q, count].</summary>
    private static (Tensor Values, Tensor Rows) SearchChunk(Tensor q, BankChunk chunk, int count)
    {
        using var scope = new DisposeScope();
        var rows = chunk.Rows.DType == q.DType ? chunk.Rows : chunk.Rows.To(q.DType); // a float16/bfloat16-stored bank
        var partial = Tensor.AddMm(chunk.SquaredNorms, q, rows.Transpose(0, 1), beta: 1, alpha: -2);
        var (values, indices) = count == 1
            ? partial.Min(1, keepDim: true)
            : partial.TopK(Math.Min(count, chunk.Rows.Size(0)), dim: 1, largest: false, sorted: true);
        if (chunk.Start != 0) indices = indices.Add(chunk.Start); // the long overload keeps int64
        return (scope.MoveToOuter(values), scope.MoveToOuter(indices));
    }

    /// <summary>The <paramref name="count"/> smallest of the running and the new candidates; on ties
    /// the earlier (lower) bank row is kept for count = 1.</summary>
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
            var all = Tensor.Cat([best, values], 1);
            var (top, positions) = all.TopK(Math.Min(count, all.Size(1)), dim: 1, largest: false, sorted: true);
            mergedValues = top;
            mergedRows = Tensor.Cat([bestRows, rows], 1).Gather(1, positions);
        }
        foreach (var t in new[] { best, bestRows, values, rows }) t.Dispose();
        return (scope.MoveToOuter(mergedValues), scope.MoveToOuter(mergedRows));
    }
}

using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Search;

/// <summary>
/// Exact float32 nearest-neighbour search (docs/method.md section 7) over a bank kept in host memory and
/// streamed to the compute device chunk by chunk, for banks larger than the device's memory. The
/// results equal <see cref="ExactNearestNeighbourSearch"/>'s over the same bank and chunks: both
/// run <see cref="ChunkedScan"/>, and the squared norms are computed on the compute device as a
/// device-resident bank computes them.
/// </summary>
/// <remarks>
/// Double buffering: while the device computes on chunk i, chunk i + 1 is already being copied (on
/// CUDA from pinned memory on a side stream, <see cref="Tensor.StartCopy"/>). After queueing the
/// work on chunk i the host waits for the compute stream (not the copy), so at most two chunks are
/// on the device at a time. Without CUDA nothing is pinned and the copies are plain (on the CPU,
/// no copy at all), but the same code path runs.
/// </remarks>
public sealed class StreamingNearestNeighbourSearch : INearestNeighbourSearch, IDisposable
{
    private readonly Tensor _hostFeatures;
    private readonly Tensor _squaredNorms;

    /// <param name="features">The bank [M, D], M ≥ 1, floating point, on any device. Kept in host
    /// memory as float32: copied (into pinned memory where the compute device is CUDA), except that a
    /// contiguous float32 CPU tensor is shared as it is, so a bank near the machine's memory is not
    /// held twice; the caller must not change it while the search is in use.</param>
    /// <param name="device">Where the distances are computed.</param>
    /// <param name="memoryBudgetBytes">Bytes for one chunk's distance block and its two bank buffers;
    /// null: <see cref="SearchMemoryBudget.DefaultBytes"/>.</param>
    /// <param name="chunkRows">Fixed bank rows per chunk, overriding the budget.</param>
    public StreamingNearestNeighbourSearch(Tensor features, Device device, long? memoryBudgetBytes = null, long? chunkRows = null)
    {
        if (features.Dim != 2 || features.Size(0) < 1 || !features.DType.IsFloatingPoint())
            throw new ArgumentException($"bank features must be a non-empty floating-point [M, D] matrix, got {features}", nameof(features));
        TorchRuntime.EnsureAvailable(device);
        Device = device;
        MemoryBudgetBytes = memoryBudgetBytes ?? SearchMemoryBudget.DefaultBytes(device);
        if (MemoryBudgetBytes < 1) throw new ArgumentOutOfRangeException(nameof(memoryBudgetBytes), memoryBudgetBytes, "memory budget must be positive");
        if (chunkRows is < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, "chunk rows must be at least 1");
        FixedChunkRows = chunkRows;
        using var scope = new DisposeScope();
        var host = features.To(Device.Cpu, DType.Float32).Contiguous();
        _hostFeatures = (device.IsCuda ? host.PinMemory() : host).DetachFromDisposeScope();
        try
        {
            // |b|² in chunks as wide as the budget allows, whatever FixedChunkRows says: wide row-wise
            // reductions, as a device-resident bank computes them.
            var rows = SearchMemoryBudget.ChunkRows(MemoryBudgetBytes, 2 * Dim, Count, 1);
            _squaredNorms = Tensor.Cat(Stream(rows).Select(c => (c.Rows * c.Rows).Sum(1)).ToArray()).DetachFromDisposeScope();
        }
        catch
        {
            _hostFeatures.Dispose();
            throw;
        }
    }

    /// <summary>The compute device.</summary>
    public Device Device { get; }

    public long MemoryBudgetBytes { get; }

    public long? FixedChunkRows { get; }

    /// <summary>M, the bank rows.</summary>
    public long Count => _hostFeatures.Size(0);

    /// <summary>D, the feature width.</summary>
    public long Dim => _hostFeatures.Size(1);

    /// <summary>Whether the host copy is page-locked (only where the compute device is CUDA).</summary>
    public bool IsPinned => _hostFeatures.IsPinned;

    /// <summary>Bank rows per chunk for <paramref name="queries"/> query rows: the budget covers the
    /// [Q, chunk] float32 distance block and two [chunk, D] float32 bank buffers.</summary>
    public long ChunkRows(long queries, int neighbours = 1) =>
        Math.Min(Count, Math.Max(neighbours, FixedChunkRows
            ?? SearchMemoryBudget.ChunkRows(MemoryBudgetBytes, queries + 2 * Dim, Count, neighbours)));

    /// <inheritdoc/>
    public NearestNeighbours Search(Tensor queries, int neighbours = 1)
    {
        if (queries.Dim != 2 || queries.Size(1) != Dim || !queries.DType.IsFloatingPoint())
            throw new ArgumentException($"queries must be floating-point [Q, {Dim}], got {queries}", nameof(queries));
        if (neighbours < 1 || neighbours > Count)
            throw new ArgumentOutOfRangeException(nameof(neighbours), neighbours, $"n_nn must be in [1, {Count}] (the bank size)");
        using var scope = new DisposeScope();
        var q = queries.To(Device, DType.Float32);
        var chunks = Stream(ChunkRows(q.Size(0), neighbours))
            .Select(c => new BankChunk(c.Start, c.Rows, _squaredNorms.Narrow(0, c.Start, c.Rows.Size(0))));
        var (distances, rows) = ChunkedScan.Nearest(q, chunks, neighbours);
        return new NearestNeighbours(scope.MoveToOuter(distances), scope.MoveToOuter(rows));
    }

    /// <summary>The bank's rows on the device in chunks of <paramref name="chunkRows"/>, each copy
    /// started one chunk ahead; a chunk is freed once the consumer has queued its work on it and the
    /// compute stream has finished that work.</summary>
    private IEnumerable<(long Start, Tensor Rows)> Stream(long chunkRows)
    {
        var next = StartCopy(0, chunkRows);
        try
        {
            for (long start = 0; start < Count; start += chunkRows)
            {
                var current = next;
                next = start + chunkRows < Count ? StartCopy(start + chunkRows, chunkRows) : null;
                using var rows = current!.Finish();
                yield return (start, rows);
                TorchRuntime.SynchronizeStream(Device);
            }
        }
        finally
        {
            next?.Dispose();
        }
    }

    private PendingCopy StartCopy(long start, long chunkRows)
    {
        using var view = _hostFeatures.Narrow(0, start, Math.Min(chunkRows, Count - start));
        return view.StartCopy(Device);
    }

    public void Dispose()
    {
        _hostFeatures.Dispose();
        _squaredNorms.Dispose();
    }
}

using System.Diagnostics;
using Uniformaly.Research.Bank;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Search;

/// <summary>
/// Nearest-neighbour search over a <see cref="MemoryBank"/> (docs/method.md section 7): |q|² − 2q·b + |b|²,
/// clamped at 0, in chunks of bank rows so that memory stays bounded whatever the bank size,
/// keeping a running top-n_nn minimum across chunks (<see cref="ChunkedScan"/>). Exact float32 by
/// default; <see cref="SearchPrecision.CertifiedBFloat16"/> returns the same neighbours faster.
/// </summary>
public sealed class ExactNearestNeighbourSearch : INearestNeighbourSearch, IDisposable
{
    /// <summary>Candidates per query that <see cref="SearchPrecision.CertifiedBFloat16"/> measures in
    /// float32 for n_nn = 1 (each further neighbour adds one). On standard-normal 65536 x 768 data
    /// 8 certify 99.5 % of the queries (the rest are searched again in float32) and 12 all of them;
    /// 16 leave a margin for clustered features and cost no measurable time over 8.</summary>
    public const int DefaultRerankCandidates = 16;

    /// <summary>Unit roundoff of float32, for the error of the candidates' float32 distances.</summary>
    private const double Float32Roundoff = 1.0 / (1 << 24);

    private readonly MemoryBank _bank;
    private readonly BFloat16Ranking? _ranking;
    private readonly bool _measureNatively;
    private long _queriesSearchedAgain;

    /// <param name="bank">The bank to search; the caller keeps ownership.</param>
    /// <param name="memoryBudgetBytes">Bytes for one [Q, chunk] distance block; null: <see cref="SearchMemoryBudget.DefaultBytes"/>.</param>
    /// <param name="chunkRows">Fixed bank rows per chunk, overriding the budget (null: from the budget).</param>
    /// <param name="precision">Float32 or CertifiedBFloat16, which keeps a bfloat16 copy of the
    /// bank (about half the float32 bank's memory).</param>
    /// <param name="rerankCandidates">Candidates per query for CertifiedBFloat16 and n_nn = 1 (off the
    /// fused CPU ranking, beyond 64 in all the candidate selection takes a slower path).</param>
    public ExactNearestNeighbourSearch(MemoryBank bank, long? memoryBudgetBytes = null, long? chunkRows = null,
        SearchPrecision precision = SearchPrecision.Float32, int rerankCandidates = DefaultRerankCandidates)
        : this(bank, memoryBudgetBytes, chunkRows, precision, rerankCandidates, cpuKernels: true)
    {
    }

    /// <summary>The public constructor's search; <paramref name="cpuKernels"/> picks the certified path.</summary>
    /// <param name="bank">The bank to search; the caller keeps ownership.</param>
    /// <param name="memoryBudgetBytes">As the public constructor's.</param>
    /// <param name="chunkRows">As the public constructor's.</param>
    /// <param name="precision">As the public constructor's.</param>
    /// <param name="rerankCandidates">As the public constructor's.</param>
    /// <param name="cpuKernels">false: the certified search takes its device-generic tensor path
    /// (chunked bfloat16 mm, candidates measured by tensor ops) even where the bank is on a CPU that
    /// runs the fused native kernels, so that tests can compare the two.</param>
    internal ExactNearestNeighbourSearch(MemoryBank bank, long? memoryBudgetBytes, long? chunkRows,
        SearchPrecision precision, int rerankCandidates, bool cpuKernels)
    {
        _bank = bank ?? throw new ArgumentNullException(nameof(bank));
        MemoryBudgetBytes = memoryBudgetBytes ?? SearchMemoryBudget.DefaultBytes(bank.Device);
        if (MemoryBudgetBytes < 1) throw new ArgumentOutOfRangeException(nameof(memoryBudgetBytes), memoryBudgetBytes, "memory budget must be positive");
        if (chunkRows is < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, "chunk rows must be at least 1");
        if (rerankCandidates < 1) throw new ArgumentOutOfRangeException(nameof(rerankCandidates), rerankCandidates, "must be at least 1");
        FixedChunkRows = chunkRows;
        Precision = precision;
        RerankCandidates = rerankCandidates;
        _measureNatively = cpuKernels && !bank.Device.IsCuda && bank.StorageType == DType.Float32;
        if (precision == SearchPrecision.CertifiedBFloat16) _ranking = new BFloat16Ranking(bank.Features, fused: cpuKernels);
    }

    public long MemoryBudgetBytes { get; }

    public long? FixedChunkRows { get; }

    public SearchPrecision Precision { get; }

    public int RerankCandidates { get; }

    /// <summary>Queries so far (over all searches) whose bfloat16 proof failed and which were
    /// searched again in float32: how well <see cref="RerankCandidates"/> suits the data.</summary>
    public long QueriesSearchedAgain => Interlocked.Read(ref _queriesSearchedAgain);

    /// <summary>Whether the certified search ranks with the fused CPU pass (AVX512-BF16) rather than
    /// a bfloat16 mm per chunk of rows.</summary>
    public bool FusedRanking => _ranking?.Fused ?? false;

    /// <summary>Time per stage of the certified searches so far (none for the float32 search).</summary>
    public CertifiedSearchTimings Timings { get; } = new();

    /// <summary>Bank rows per chunk for a search of <paramref name="queries"/> rows.</summary>
    public long ChunkRows(long queries, int neighbours = 1) =>
        Math.Min(_bank.Count, Math.Max(neighbours, FixedChunkRows ?? SearchMemoryBudget.ChunkRows(MemoryBudgetBytes, queries, _bank.Count, neighbours)));

    /// <inheritdoc/>
    public NearestNeighbours Search(Tensor queries, int neighbours = 1)
    {
        Validate(queries, neighbours);
        using var scope = new DisposeScope();
        var q = queries.To(_bank.Device, DType.Float32);
        var (distances, rows) = _ranking is null ? ExactFloat32(q, neighbours) : Certified(_ranking, q, neighbours);
        return new NearestNeighbours(scope.MoveToOuter(distances), scope.MoveToOuter(rows));
    }

    /// <summary>The float32 search: squared distances and rows [Q, n_nn].</summary>
    private (Tensor Distances, Tensor Rows) ExactFloat32(Tensor q, int neighbours) =>
        ChunkedScan.Nearest(q, Chunks(ChunkRows(q.Size(0), neighbours)), neighbours);

    private IEnumerable<BankChunk> Chunks(long chunkRows)
    {
        for (long start = 0; start < _bank.Count; start += chunkRows)
        {
            var length = Math.Min(chunkRows, _bank.Count - start);
            yield return new BankChunk(start, _bank.Features.Narrow(0, start, length), _bank.SquaredNorms.Narrow(0, start, length));
        }
    }

    /// <summary>bfloat16 ranking, float32 measurement of the candidates, proof or float32 fallback per query.</summary>
    private (Tensor Distances, Tensor Rows) Certified(BFloat16Ranking ranking, Tensor q, int neighbours)
    {
        var candidates = neighbours - 1 + RerankCandidates;
        if (candidates >= _bank.Count) return ExactFloat32(q, neighbours);
        var started = Stopwatch.GetTimestamp();
        var ranked = ranking.Candidates(q, candidates, ChunkRows(q.Size(0), candidates));
        Timings.AddRanking(started);
        started = Stopwatch.GetTimestamp();
        var (distances, rows) = _measureNatively ? Tensor.NearestCandidates(_bank.Features, q, ranked.Rows, neighbours) : Rerank(q, ranked.Rows, neighbours);
        Timings.AddMeasurement(started);
        started = Stopwatch.GetTimestamp();
        var unproven = Unproven(ranking.LowerBoundOfExcluded(ranked), distances.Select(1, neighbours - 1), _bank.Dim);
        Timings.AddProof(started);
        if (unproven.Size(0) == 0) return (distances, rows);
        started = Stopwatch.GetTimestamp();
        Interlocked.Add(ref _queriesSearchedAgain, unproven.Size(0));
        var (exactDistances, exactRows) = ExactFloat32(q.IndexSelect(0, unproven), neighbours);
        var result = (distances.IndexCopy(0, unproven, exactDistances), rows.IndexCopy(0, unproven, exactRows));
        Timings.AddFallback(started);
        return result;
    }

    /// <summary>
    /// The queries [U] whose proof fails: some bank row left out of the candidates might be as near
    /// as the n_nn-th candidate. A float32 Σ(q − b)² of D non-negative terms is within γ = (D + 3)ε of
    /// the true value (plus D flushed subnormals), so the true n_nn-th distance is at most
    /// <paramref name="worstKept"/> / (1 − γ) + D·2⁻¹²⁶, compared in float64 with the lower bound.
    /// </summary>
    internal static Tensor Unproven(Tensor lowerBoundOfExcluded, Tensor worstKept, long dim)
    {
        using var scope = new DisposeScope();
        var gamma = (dim + 3) * Float32Roundoff / (1 - (dim + 3) * Float32Roundoff);
        var highest = worstKept.To(DType.Float64) / (1 - gamma) + dim * 1.2e-38;
        return scope.MoveToOuter((lowerBoundOfExcluded > highest).LogicalNot().NonZero().Flatten());
    }

    /// <summary>Float32 squared distances Σ(q − b)² to the candidate rows [Q, C], then the
    /// <paramref name="neighbours"/> nearest: distances and rows [Q, n_nn]. Candidates are put in row
    /// order first and the sort by distance is stable, so equal distances go to the lower row, as in
    /// the float32 search. (On the CPU <see cref="Tensor.NearestCandidates"/> does the same in one pass.)</summary>
    private (Tensor, Tensor) Rerank(Tensor q, Tensor candidates, int neighbours)
    {
        using var scope = new DisposeScope();
        var (ordered, _) = candidates.Sort(1);
        var (sorted, positions) = CandidateDistances(q, ordered).Sort(1, stable: true);
        var nearest = positions.Narrow(1, 0, neighbours);
        return (scope.MoveToOuter(sorted.Narrow(1, 0, neighbours).Contiguous()), scope.MoveToOuter(ordered.Gather(1, nearest)));
    }

    /// <summary>Σ(q − b)² [Q, C] for candidate rows [Q, C], in blocks of queries so that the gathered
    /// [block, C, D] rows stay within the memory budget.</summary>
    private Tensor CandidateDistances(Tensor q, Tensor rows)
    {
        using var scope = new DisposeScope();
        var (queryCount, count) = (rows.Size(0), rows.Size(1));
        var block = Math.Max(1, MemoryBudgetBytes / (sizeof(float) * count * _bank.Dim));
        var parts = new List<Tensor>();
        for (long start = 0; start < queryCount; start += block)
        {
            var length = Math.Min(block, queryCount - start);
            using var gathered = _bank.Features.IndexSelect(0, rows.Narrow(0, start, length).Flatten()).To(DType.Float32).View(length, count, _bank.Dim);
            using var difference = q.Narrow(0, start, length).Unsqueeze(1) - gathered;
            using var squared = difference * difference;
            parts.Add(squared.Sum(2));
        }
        return scope.MoveToOuter(parts.Count == 1 ? parts[0] : Tensor.Cat(parts, 0));
    }

    private void Validate(Tensor queries, int neighbours)
    {
        if (queries.Dim != 2 || queries.Size(1) != _bank.Dim || !queries.DType.IsFloatingPoint())
            throw new ArgumentException($"queries must be floating-point [Q, {_bank.Dim}], got {queries}", nameof(queries));
        if (neighbours < 1 || neighbours > _bank.Count)
            throw new ArgumentOutOfRangeException(nameof(neighbours), neighbours, $"n_nn must be in [1, {_bank.Count}] (the bank size)");
    }

    /// <summary>Frees the search's own copy (the bfloat16 ranking copy); the bank stays.</summary>
    public void Dispose() => _ranking?.Dispose();
}

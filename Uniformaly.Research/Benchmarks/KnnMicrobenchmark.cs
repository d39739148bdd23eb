using System.Diagnostics;
using System.Text.Json;
using Uniformaly.Research.Bank;
using Uniformaly.Research.Search;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Benchmarks;

/// <summary>What to time: a [Bank, Dim] memory bank searched with a [Queries, Dim] batch for the
/// Neighbours nearest rows; Warmup untimed then Repeats timed searches. Threads null keeps the
/// runtime's setting; ChunkRows null takes the chunk size from the search's memory budget;
/// Precision picks the float32 search or the certified bfloat16 ranking (the same exact answer),
/// which measures RerankCandidates candidates per query in float32. BankOnHost keeps the bank in
/// host memory and streams it to the device chunk by chunk (<see cref="StreamingNearestNeighbourSearch"/>,
/// float32 only). GenericPath makes the certified search take its device-generic tensor path (a
/// bfloat16 mm per chunk, candidates measured by tensor ops) on a CPU that has the fused kernels.</summary>
public sealed record KnnBenchmarkOptions(
    long Bank = 65536,
    long Queries = 784,
    long Dim = 768,
    int Neighbours = 1,
    string Device = "cpu",
    int Warmup = 1,
    int Repeats = 5,
    int? Threads = null,
    long? ChunkRows = null,
    ulong Seed = 0,
    SearchPrecision Precision = SearchPrecision.Float32,
    int RerankCandidates = ExactNearestNeighbourSearch.DefaultRerankCandidates,
    bool BankOnHost = false,
    bool GenericPath = false);

/// <summary>The measurement: the median seconds per query batch and the GEMM rate it implies,
/// Gflops = 2·Q·M·D / seconds / 1e9; for the certified mode, the mean number of queries per batch
/// whose proof failed and which were searched again in float32, and the median seconds per batch
/// of each stage (<see cref="CertifiedSearchTimings"/>): ranking (bfloat16 GEMM and candidate
/// selection), measurement (float32 distances of the candidates), proof, fallback (float32
/// re-search); and, for the certified mode, the queries whose neighbour rows differ from a float32
/// search of the same bank and queries in the same run: where the two rows' distances, recomputed
/// in float64, differ by more than float32 can resolve (must be 0), and float32 ties (rows at
/// distances float32 cannot tell apart, where either search's choice is as exact as the other's).</summary>
public sealed record KnnBenchmarkResult(
    string Implementation,
    string Device,
    long Bank,
    long Queries,
    long Dim,
    int Nn,
    int Threads,
    int Repeats,
    long ChunkRows,
    double SecondsPerBatch,
    double Gflops,
    double SearchedAgainPerBatch,
    double? RankingSeconds = null,
    double? MeasurementSeconds = null,
    double? ProofSeconds = null,
    double? FallbackSeconds = null,
    long? QueriesDifferingFromFloat32 = null,
    long? Float32Ties = null)
{
    /// <summary>One JSON object with snake_case keys, like tools/bench/faiss_knn.py prints.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
}

/// <summary>Times <see cref="ExactNearestNeighbourSearch"/> or <see cref="StreamingNearestNeighbourSearch"/>
/// on random data (for `uniformaly bench knn`).</summary>
public static class KnnMicrobenchmark
{
    public static KnnBenchmarkResult Run(KnnBenchmarkOptions options)
    {
        if (options.Repeats < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Repeats, "repeats must be at least 1");
        if (options.BankOnHost && options.Precision != SearchPrecision.Float32)
            throw new ArgumentException("a bank kept on the host is searched in float32 only", nameof(options));
        var device = Torch.Device.Parse(options.Device);
        TorchRuntime.EnsureAvailable(device);
        if (options.Threads is { } threads) TorchRuntime.NumThreads = threads;
        using var scope = new DisposeScope();
        TorchRuntime.ManualSeed(options.Seed);
        var features = Tensor.Randn([options.Bank, options.Dim]);
        var queries = Tensor.Randn([options.Queries, options.Dim]).To(device);
        if (options.BankOnHost)
        {
            using var streaming = new StreamingNearestNeighbourSearch(features, device, chunkRows: options.ChunkRows);
            return Measure(options, device, streaming, queries, "float32, bank streamed from the host",
                streaming.ChunkRows(options.Queries, options.Neighbours), () => 0, null);
        }
        using var bank = MemoryBank.FromFeatures(features, device);
        using var search = new ExactNearestNeighbourSearch(bank, null, options.ChunkRows, options.Precision, options.RerankCandidates,
            cpuKernels: !options.GenericPath);
        var mode = options.Precision == SearchPrecision.Float32 ? "Float32"
            : $"CertifiedBFloat16, {(search.FusedRanking ? "fused AVX512-BF16 ranking" : "bf16 mm ranking per chunk")}";
        var result = Measure(options, device, search, queries, mode,
            search.ChunkRows(options.Queries, options.Neighbours), () => search.QueriesSearchedAgain,
            options.Precision == SearchPrecision.CertifiedBFloat16 && !device.IsCuda ? search.Timings : null);
        if (options.Precision == SearchPrecision.Float32) return result;
        var (differing, ties) = CompareWithFloat32(search, bank, features, queries, options);
        return result with { QueriesDifferingFromFloat32 = differing, Float32Ties = ties };
    }

    /// <summary>The queries whose neighbour rows differ between <paramref name="search"/> and the
    /// float32 search of the same bank (untimed), split into real differences and float32 ties.</summary>
    private static (long Differing, long Ties) CompareWithFloat32(ExactNearestNeighbourSearch search, MemoryBank bank, Tensor features,
        Tensor queries, KnnBenchmarkOptions options)
    {
        using var reference = new ExactNearestNeighbourSearch(bank, null, options.ChunkRows, SearchPrecision.Float32);
        using var expected = reference.Search(queries, options.Neighbours);
        using var actual = search.Search(queries, options.Neighbours);
        var (rows, got) = (expected.Indices.ToArray<long>(), actual.Indices.ToArray<long>());
        var queriesDiffering = Enumerable.Range(0, (int)options.Queries)
            .Where(q => Enumerable.Range(q * options.Neighbours, options.Neighbours).Any(i => rows[i] != got[i])).ToList();
        if (queriesDiffering.Count == 0) return (0, 0);
        using var hostQueries = queries.To(Torch.Device.Cpu);
        var queryRows = hostQueries.ToArray<float>();
        var dim = (int)options.Dim;
        var differing = queriesDiffering.LongCount(q => Enumerable.Range(q * options.Neighbours, options.Neighbours).Any(i =>
        {
            var query = queryRows.AsSpan(q * dim, dim);
            var (a, b) = (Row(features, rows[i]), Row(features, got[i]));
            return Math.Abs(SquaredDistance(query, a) - SquaredDistance(query, b)) > Float32Resolution(query, a, b);
        }));
        return (differing, queriesDiffering.Count - differing);
    }

    private static float[] Row(Tensor features, long row)
    {
        using var slice = features.Narrow(0, row, 1);
        return slice.ToArray<float>();
    }

    private static double SquaredDistance(ReadOnlySpan<float> q, float[] b)
    {
        var sum = 0.0;
        for (var j = 0; j < q.Length; j++) sum += ((double)q[j] - b[j]) * ((double)q[j] - b[j]);
        return sum;
    }

    /// <summary>How far apart two squared distances can be and still be ordered either way by a float32
    /// evaluation of |q|^2 - 2 q.b + |b|^2: D u (|q| + |b|)^2 bounds its rounding error
    /// (u = 2^-24; the standard bound for a D-term sum of products, with the norms).</summary>
    private static double Float32Resolution(ReadOnlySpan<float> q, float[] a, float[] b) =>
        q.Length * Math.Pow(2, -24) * Math.Pow(Norm(q) + Math.Max(Norm(a), Norm(b)), 2);

    private static double Norm(ReadOnlySpan<float> v)
    {
        var sum = 0.0;
        foreach (var x in v) sum += (double)x * x;
        return Math.Sqrt(sum);
    }

    /// <summary>Warm-up, then the median of the timed searches (and of each stage the
    /// <paramref name="timings"/> split them into).</summary>
    private static KnnBenchmarkResult Measure(KnnBenchmarkOptions options, Device device, INearestNeighbourSearch search,
        Tensor queries, string mode, long chunkRows, Func<long> searchedAgain, CertifiedSearchTimings? timings)
    {
        for (var i = 0; i < options.Warmup; i++) Time(search, queries, options.Neighbours, device);
        var stages = new List<double[]>();
        var times = new List<double>();
        for (var i = 0; i < options.Repeats; i++)
        {
            var before = Stages(timings);
            times.Add(Time(search, queries, options.Neighbours, device));
            stages.Add(Stages(timings).Zip(before, (after, b) => after - b).ToArray());
        }
        var median = Median(times);
        double? Stage(int i) => timings is null ? null : Median(stages.Select(s => s[i]));
        return new KnnBenchmarkResult($"uniformaly kNN {mode} (libtorch {TorchRuntime.Version})", device.ToString(),
            options.Bank, options.Queries, options.Dim, options.Neighbours, TorchRuntime.NumThreads, options.Repeats,
            chunkRows, median, 2.0 * options.Queries * options.Bank * options.Dim / median / 1e9,
            (double)searchedAgain() / (options.Warmup + options.Repeats), Stage(0), Stage(1), Stage(2), Stage(3));
    }

    private static double[] Stages(CertifiedSearchTimings? t) =>
        t is null ? [0, 0, 0, 0] : [t.Ranking, t.Measurement, t.Proof, t.Fallback];

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Seconds for one search of the batch, synchronized on CUDA so the work is counted.</summary>
    private static double Time(INearestNeighbourSearch search, Tensor queries, int neighbours, Device device)
    {
        var watch = Stopwatch.StartNew();
        using (search.Search(queries, neighbours))
            if (device.IsCuda) TorchRuntime.CudaSynchronize(device.Index);
        return watch.Elapsed.TotalSeconds;
    }
}

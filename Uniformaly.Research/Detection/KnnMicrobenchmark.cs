using System.Diagnostics;
using System.Text.Json;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Detection;

/// <summary>What to time: a [Bank, Dim] memory bank searched with a [Queries, Dim] batch for the
/// Neighbours nearest rows; Warmup untimed then Repeats timed searches. Threads null keeps the
/// runtime's setting; ChunkRows null takes the chunk size from the search's memory budget;
/// Precision picks the float32 search or the certified bfloat16 ranking (the same exact answer),
/// which measures RerankCandidates candidates per query in float32.</summary>
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
    int RerankCandidates = ExactNearestNeighbourSearch.DefaultRerankCandidates);

/// <summary>The measurement: the median seconds per query batch and the GEMM rate it implies,
/// Gflops = 2·Q·M·D / seconds / 1e9; for the certified mode, the mean number of queries per batch
/// whose proof failed and which were searched again in float32.</summary>
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
    double SearchedAgainPerBatch)
{
    /// <summary>One JSON object with snake_case keys, like tools/bench/faiss_knn.py prints.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
}

/// <summary>Times <see cref="ExactNearestNeighbourSearch"/> on random data (for `uniformaly bench knn`).</summary>
public static class KnnMicrobenchmark
{
    public static KnnBenchmarkResult Run(KnnBenchmarkOptions options)
    {
        if (options.Repeats < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Repeats, "repeats must be at least 1");
        var device = Torch.Device.Parse(options.Device);
        TorchRuntime.EnsureAvailable(device);
        if (options.Threads is { } threads) TorchRuntime.NumThreads = threads;
        using var scope = new DisposeScope();
        TorchRuntime.ManualSeed(options.Seed);
        using var bank = MemoryBank.FromFeatures(Tensor.Randn([options.Bank, options.Dim]), device);
        var queries = Tensor.Randn([options.Queries, options.Dim]).To(device);
        using var search = new ExactNearestNeighbourSearch(bank, chunkRows: options.ChunkRows, precision: options.Precision,
            rerankCandidates: options.RerankCandidates);
        for (var i = 0; i < options.Warmup; i++) Time(search, queries, options.Neighbours, device);
        var times = Enumerable.Range(0, options.Repeats).Select(_ => Time(search, queries, options.Neighbours, device)).Order().ToArray();
        var median = times.Length % 2 == 1 ? times[times.Length / 2] : (times[times.Length / 2 - 1] + times[times.Length / 2]) / 2;
        return new KnnBenchmarkResult($"uniformaly kNN {options.Precision} (libtorch {TorchRuntime.Version})", device.ToString(),
            options.Bank, options.Queries, options.Dim, options.Neighbours, TorchRuntime.NumThreads, options.Repeats,
            search.ChunkRows(options.Queries, options.Neighbours), median,
            2.0 * options.Queries * options.Bank * options.Dim / median / 1e9,
            (double)search.QueriesSearchedAgain / (options.Warmup + options.Repeats));
    }

    /// <summary>Seconds for one search of the batch, synchronized on CUDA so the work is counted.</summary>
    private static double Time(ExactNearestNeighbourSearch search, Tensor queries, int neighbours, Device device)
    {
        var watch = Stopwatch.StartNew();
        using (search.Search(queries, neighbours))
            if (device.IsCuda) TorchRuntime.CudaSynchronize(device.Index);
        return watch.Elapsed.TotalSeconds;
    }
}

using System.Diagnostics;
using System.Text.Json;
using Uniformaly.Research.Common;
using Uniformaly.Research.Bank;
using Uniformaly.Research.Search;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Benchmarks;

/// <summary>What `uniformaly bench coreset` builds: a bank from <see cref="Rows"/> synthetic
/// standard-normal features of width <see cref="Dim"/>, appended <see cref="BatchRows"/> rows at a
/// time (one ViT-B/8 image at 224 px is 784 patches) through <see cref="MemoryBankBuilder"/> with the
/// approximate greedy coreset at <see cref="Ratio"/> (0.05: the paper's multi-class MVTec), holding
/// <see cref="MemoryBytes"/> of rows in memory (null: the builder's default). The default is 1/10
/// of MVTec AD multi-class without BPM (<see cref="FullScaleRows"/>), to which the result extrapolates.
/// <see cref="BandwidthBytes"/> per array of the bandwidth probe, run before and after the build. GenericPath
/// picks with the device-generic tensor ops (as before the CPU kernels) instead.</summary>
public sealed record CoresetBenchmarkOptions(
    long Rows = 285_000,
    long Dim = 768,
    double Ratio = 0.05,
    int BatchRows = 784,
    int? Threads = null,
    long? MemoryBytes = null,
    long FullScaleRows = 2_850_000,
    long BandwidthBytes = 512L << 20,
    int BandwidthRepeats = 5,
    ulong Seed = 0,
    bool GenericPath = false);

/// <summary>
/// The measurement (seconds, bytes, GB/s of 10⁹ bytes). AppendSeconds: generating, projecting and
/// storing the rows; PickSeconds: the greedy picks alone, each of which reads BytesPerPick
/// (every padded row's projection, its norm, and its distance read and written); BuildSeconds:
/// everything from the first row to the finished bank. PickGbPerSecond over the better of the
/// same-run STREAM-like read and triad bandwidths (each the best of a probe before and one after the
/// build) gives BandwidthFraction. PeakRssBytes is the process's peak resident memory (VmHWM) from
/// the first row until the bank is done;
/// BaseRssBytes its resident memory before the first row, and MemoryBoundBytes the bound on what the
/// build adds to that (<see cref="CoresetBenchmark.MemoryBound"/>). The FullScale figures extrapolate
/// to FullScaleRows: picks grow with the rows at a fixed ratio and each reads every row, so the picks
/// read (FullScaleRows / Rows)² times the bytes, at the measured pick rate but no faster than the
/// measured bandwidth (a pick over a few hundred MB may partly hit the last-level cache, one over
/// gigabytes does not); appending and the rest grow linearly; memory grows by the projected rows, the
/// sampler's vectors and the bank, while the rows held in memory stay within the budget.
/// </summary>
public sealed record CoresetBenchmarkResult(
    long Rows,
    long Dim,
    double Ratio,
    long Picks,
    int Threads,
    double AppendSeconds,
    double PickSeconds,
    double BuildSeconds,
    double PicksPerSecond,
    long BytesPerPick,
    double PickGbPerSecond,
    double ReadBandwidthGbPerSecond,
    double TriadBandwidthGbPerSecond,
    double BandwidthFraction,
    long PeakRssBytes,
    long BaseRssBytes,
    long MemoryBudgetBytes,
    long SpilledRows,
    long MemoryBoundBytes,
    long FullScaleRows,
    double FullScaleSecondsEstimate,
    long FullScalePeakRssEstimateBytes)
{
    /// <summary>One JSON object with snake_case keys.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
}

/// <summary>Times the streaming bank build with the coreset on synthetic features (`uniformaly bench coreset`).</summary>
public static class CoresetBenchmark
{
    private const long ProjectedDim = 128;

    public static CoresetBenchmarkResult Run(CoresetBenchmarkOptions options, IProgressSink? progress = null)
    {
        if (options.Rows < 1 || options.Dim < 1 || options.BatchRows < 1 || options.FullScaleRows < options.Rows)
            throw new ArgumentException("rows, width and batch rows must be at least 1, and the full scale at least the rows");
        if (options.Threads is { } threads) TorchRuntime.NumThreads = threads;
        var timing = new StageTimer(progress ?? NullProgress.Instance);
        // The bandwidth is probed before and after the build (it drifts on a shared machine) and the
        // better of each kept; the first probe's arrays must not count in the build's peak memory.
        (double ReadGbs, double TriadGbs) before = TryResetPeakResident() ? Tensor.MemoryBandwidth(options.BandwidthBytes, options.BandwidthRepeats) : (0, 0);
        TryResetPeakResident();
        var baseRss = ResidentBytes().Current;
        var sampler = new ApproximateGreedyCoresetSampler(options.Ratio, options.Seed) { CpuKernels = !options.GenericPath };
        var clock = Stopwatch.StartNew();
        using var builder = new MemoryBankBuilder(options.Dim, Device.Cpu, sampler, options.MemoryBytes);
        TorchRuntime.ManualSeed(options.Seed + 1);
        using (var stage = timing.Begin("synthetic features", (options.Rows + options.BatchRows - 1) / options.BatchRows))
        {
            for (long done = 0; done < options.Rows; done += options.BatchRows)
            {
                using var scope = new DisposeScope();
                builder.Append(Tensor.Randn([Math.Min(options.BatchRows, options.Rows - done), options.Dim]));
                stage.Advance();
            }
        }
        var appendSeconds = clock.Elapsed.TotalSeconds;
        using var bank = builder.Build(progress: timing);
        var buildSeconds = clock.Elapsed.TotalSeconds;
        var peak = ResidentBytes().Peak;
        var after = Tensor.MemoryBandwidth(options.BandwidthBytes, options.BandwidthRepeats);
        var (read, triad) = (Math.Max(before.ReadGbs, after.ReadGbs), Math.Max(before.TriadGbs, after.TriadGbs));

        var picks = bank.Count;
        var pickSeconds = timing.Seconds(ApproximateGreedyCoresetSampler.PickStageName);
        var bytesPerPick = (options.Rows + 15) / 16 * 16 * (ProjectedDim * sizeof(float) + 3 * sizeof(float));
        var gbPerSecond = bytesPerPick * (double)picks / pickSeconds / 1e9;
        var scale = (double)options.FullScaleRows / options.Rows;
        var growing = SamplerBytes(options.Rows) + BankBytes(picks, options.Dim);
        var heldRows = Math.Min(builder.MemoryBytes, options.Rows * options.Dim * sizeof(float));
        var heldRowsFull = Math.Min(builder.MemoryBytes, options.FullScaleRows * options.Dim * sizeof(float));
        return new CoresetBenchmarkResult(options.Rows, options.Dim, options.Ratio, picks, TorchRuntime.NumThreads,
            appendSeconds, pickSeconds, buildSeconds, picks / pickSeconds, bytesPerPick, gbPerSecond, read, triad,
            gbPerSecond / Math.Max(read, triad), peak, baseRss, builder.MemoryBytes, builder.SpilledRows,
            MemoryBound(options.Rows, options.Dim, picks, builder.MemoryBytes),
            options.FullScaleRows,
            appendSeconds * scale + bytesPerPick * (double)picks * scale * scale / 1e9 / Math.Min(gbPerSecond, Math.Max(read, triad))
            + (buildSeconds - appendSeconds - pickSeconds) * scale,
            (long)(peak + (scale - 1) * growing + (heldRowsFull - heldRows)));
    }

    /// <summary>The bound on what a streaming build adds to the process: the rows held in memory (the
    /// budget, or all rows if fewer, plus the 32 MiB block being filled), the sampler's projected rows,
    /// norms and distances (the projected rows once: their blocked copy fills as their store is freed
    /// block by block, one 32 MiB block of slack), the bank twice (gathered, then stored), and 64 MiB
    /// for what the runtime itself allocates meanwhile (JIT, managed heap, allocator slack).</summary>
    public static long MemoryBound(long rows, long dim, long picks, long memoryBytes) =>
        Math.Min(memoryBytes, rows * dim * sizeof(float)) + (32L << 20)
        + SamplerBytes(rows) + (32L << 20)
        + 2 * BankBytes(picks, dim)
        + (64L << 20);

    /// <summary>The coreset's projected rows, norms and distances (padded to blocks of 16).</summary>
    private static long SamplerBytes(long rows) => (rows + 15) / 16 * 16 * (ProjectedDim + 2) * sizeof(float);

    private static long BankBytes(long picks, long dim) => picks * (dim + 1) * sizeof(float);

    /// <summary>Lowers the peak resident memory to the current one (Linux: /proc/self/clear_refs);
    /// false where that cannot be done.</summary>
    private static bool TryResetPeakResident()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>The process's resident memory now and at its peak (VmRSS and VmHWM on Linux).</summary>
    private static (long Current, long Peak) ResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        return (process.WorkingSet64, process.PeakWorkingSet64);
    }

    /// <summary>Forwards progress and records how long each stage ran, by the start of its name.</summary>
    private sealed class StageTimer(IProgressSink inner) : IProgressSink
    {
        private readonly Dictionary<string, double> _seconds = [];

        public IProgressStage Begin(string stage, long total) => new Stage(this, stage, inner.Begin(stage, total));

        public double Seconds(string prefix) => _seconds.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(s => s.Value);

        private sealed class Stage(StageTimer owner, string name, IProgressStage inner) : IProgressStage
        {
            private readonly Stopwatch _clock = Stopwatch.StartNew();

            public void Advance(long steps = 1) => inner.Advance(steps);

            public void Dispose()
            {
                owner._seconds[name] = _clock.Elapsed.TotalSeconds;
                inner.Dispose();
            }
        }
    }
}

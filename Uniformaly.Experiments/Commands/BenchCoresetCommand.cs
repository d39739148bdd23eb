using System.CommandLine;
using Uniformaly.Experiments.Terminal;
using Uniformaly.Research.Sampling;
using Uniformaly.Research.Torch;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly bench coreset</c>: the streaming bank build with the approximate greedy
/// coreset on synthetic features, against the machine's memory bandwidth (<see cref="CoresetBenchmark"/>).</summary>
public static class BenchCoresetCommand
{
    public static Command Create()
    {
        var defaults = new CoresetBenchmarkOptions();
        var rows = new Option<long>("--rows") { Description = "training patch rows (default: 1/10 of MVTec AD multi-class without BPM)", DefaultValueFactory = _ => defaults.Rows };
        var dim = new Option<long>("--dim") { Description = "feature width D", DefaultValueFactory = _ => defaults.Dim };
        var ratio = new Option<double>("--ratio") { Description = "coreset ratio (0.05: the paper's multi-class MVTec)", DefaultValueFactory = _ => defaults.Ratio };
        var batch = new Option<int>("--batch-rows") { Description = "rows appended at a time (784: one ViT-B/8 image)", DefaultValueFactory = _ => defaults.BatchRows };
        var memory = new Option<long?>("--memory-mb") { Description = "MiB of training rows held in memory before the rest goes to a temporary file (default: the fit's, 1024)" };
        var fullScale = new Option<long>("--full-scale-rows") { Description = "rows to extrapolate time and memory to", DefaultValueFactory = _ => defaults.FullScaleRows };
        var threads = new Option<int?>("--threads") { Description = "CPU threads (default: all cores)" };
        var generic = new Option<bool>("--generic-path") { Description = "pick with the device-generic tensor ops (a few per pick, as before the CPU kernels)" };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var command = new Command("coreset", "Time the streaming memory-bank build with the greedy coreset on synthetic features: picks/s, GB/s against the measured memory bandwidth, peak memory")
        {
            rows, dim, ratio, batch, memory, fullScale, threads, generic, json,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.Initialize();
            var options = defaults with
            {
                Rows = AtLeast(parse.GetValue(rows), 1, "--rows"), Dim = AtLeast(parse.GetValue(dim), 1, "--dim"),
                Ratio = parse.GetValue(ratio) is var r and > 0 and <= 1 ? r : throw new ArgumentException($"--ratio must be in (0, 1], got {parse.GetValue(ratio)}"),
                BatchRows = (int)AtLeast(parse.GetValue(batch), 1, "--batch-rows"),
                MemoryBytes = parse.GetValue(memory) is { } mb ? AtLeast(mb, 0, "--memory-mb") << 20 : null,
                FullScaleRows = AtLeast(parse.GetValue(fullScale), parse.GetValue(rows), "--full-scale-rows"), Threads = parse.GetValue(threads),
                GenericPath = parse.GetValue(generic),
            };
            var result = ProgressDisplay.Run(progress => CoresetBenchmark.Run(options, progress));
            Console.WriteLine(parse.GetValue(json) ? result.ToJson() : Describe(result));
            return 0;
        });
        return command;
    }

    private static string Describe(CoresetBenchmarkResult r) =>
        $"{r.Rows} x {r.Dim} rows, ratio {r.Ratio}, {r.Threads} threads: {r.Picks} picks in {r.PickSeconds:F1} s " +
        $"({r.PicksPerSecond:F0} picks/s, {r.PickGbPerSecond:F1} GB/s = {r.BandwidthFraction:P0} of the {Math.Max(r.ReadBandwidthGbPerSecond, r.TriadBandwidthGbPerSecond):F1} GB/s measured), " +
        $"bank built in {r.BuildSeconds:F1} s, peak memory {r.PeakRssBytes / (double)(1 << 20):F0} MiB (bound {(r.BaseRssBytes + r.MemoryBoundBytes) / (double)(1 << 20):F0} MiB); " +
        $"at {r.FullScaleRows} rows about {r.FullScaleSecondsEstimate / 3600:F1} h and {r.FullScalePeakRssEstimateBytes / (double)(1L << 30):F1} GiB";

    private static long AtLeast(long value, long least, string option) =>
        value >= least ? value : throw new ArgumentException($"{option} must be at least {least}, got {value}");
}

using System.CommandLine;
using Uniformaly.Experiments.Options;
using Uniformaly.Experiments.Terminal;
using Uniformaly.Research.Benchmarks;
using Uniformaly.Research.Common;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly bench coreset</c>: the streaming bank build with the approximate greedy
/// coreset on synthetic features, against the machine's memory bandwidth (<see cref="CoresetBenchmark"/>).</summary>
public static class BenchCoresetCommand
{
    public static Command Create()
    {
        var defaults = new CoresetBenchmarkOptions();
        var rows = OwnSettings.Whole("rows", "Training patch rows (default: 1/10 of MVTec AD multi-class without BPM)", defaults.Rows, 1L);
        var dim = OwnSettings.Whole("dim", "Feature width D", defaults.Dim, 1L);
        var ratio = OwnSettings.Number("ratio", "Coreset ratio (0.05: the paper's multi-class MVTec)", defaults.Ratio, new Interval(0, false, 1, true));
        var batch = OwnSettings.Whole("batch-rows", "Rows appended at a time (784: one ViT-B/8 image)", defaults.BatchRows, 1);
        var memory = new Setting<long?>("memory-mb", "MiB of training rows held in memory before the rest goes to a temporary file (default: the fit's, 1024)",
            null, ValueKinds.Optional(ValueKinds.Whole(0L, long.MaxValue >> 20)));
        var fullScale = OwnSettings.Whole("full-scale-rows", "Rows to extrapolate time and memory to (at least --rows)", defaults.FullScaleRows, 1L);
        var generic = OwnSettings.Flag("generic-path", "Pick with the device-generic tensor ops (a few per pick, as before the CPU kernels)");
        var command = new Command("coreset", "Time the streaming memory-bank build with the greedy coreset on synthetic features: picks/s, GB/s against the measured memory bandwidth, peak memory");
        var options = new SettingOptions(command, [rows, dim, ratio, batch, memory, fullScale, SettingTable.Threads, generic, BenchCommand.Json]);
        command.SetAction(parse =>
        {
            var values = options.Read(parse);
            if (values.Get(fullScale) < values.Get(rows))
                throw new SettingException($"{fullScale.Option}: {values.Get(fullScale)} is below {rows.Option} {values.Get(rows)}");
            TorchRuntime.Initialize();
            var benchmark = defaults with
            {
                Rows = values.Get(rows), Dim = values.Get(dim), Ratio = values.Get(ratio), BatchRows = values.Get(batch),
                MemoryBytes = values.Get(memory) is { } mb ? mb << 20 : null,
                FullScaleRows = values.Get(fullScale), Threads = values.Get(SettingTable.Threads), GenericPath = values.Get(generic),
            };
            var result = ProgressDisplay.Run(progress => CoresetBenchmark.Run(benchmark, progress));
            Console.WriteLine(values.Get(BenchCommand.Json) ? result.ToJson() : Describe(result));
            return 0;
        });
        return command;
    }

    private static string Describe(CoresetBenchmarkResult r) =>
        $"{r.Rows} x {r.Dim} rows, ratio {r.Ratio}, {r.Threads} threads: {r.Picks} picks in {r.PickSeconds:F1} s " +
        $"({r.PicksPerSecond:F0} picks/s, {r.PickGbPerSecond:F1} GB/s = {r.BandwidthFraction:P0} of the {Math.Max(r.ReadBandwidthGbPerSecond, r.TriadBandwidthGbPerSecond):F1} GB/s measured), " +
        $"bank built in {r.BuildSeconds:F1} s, peak memory {r.PeakRssBytes / (double)(1 << 20):F0} MiB (bound {(r.BaseRssBytes + r.MemoryBoundBytes) / (double)(1 << 20):F0} MiB); " +
        $"at {r.FullScaleRows} rows about {r.FullScaleSecondsEstimate / 3600:F1} h and {r.FullScalePeakRssEstimateBytes / (double)(1L << 30):F1} GiB";
}

using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Uniformaly.Research.Bank;
using Uniformaly.Research.Benchmarks;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Research.Settings;

namespace Uniformaly.Benchmarks;

/// <summary>
/// Fit and predict images/second of the whole pipeline (decode, preprocess, ViT-S/16 with random
/// weights, BPM, bank, kNN, scores, maps) on a generated synthetic category of 100 training and 100
/// test 256x256 images, through <see cref="EndToEndBenchmark"/>, against tools/reference_pipeline.py
/// `run` on the same images with the same checkpoint (identity sampler on both sides: the reference
/// has no coreset), on cpu and, where libtorch has CUDA, cuda:
/// <c>make bench ARGS="--filter *EndToEndThroughput*"</c>. Each side times its own fit and predict;
/// the "Fit img/s" and "Predict img/s" columns are the medians of those, and the time column is a
/// whole call (the Uniformaly side also writes its copy of the category; the reference also starts
/// Python and loads the checkpoint).
/// </summary>
[Config(typeof(EndToEndThroughputConfig))]
public class EndToEndThroughputBenchmark
{
    public const int TrainImages = 100;
    public const int TestImages = 100;
    public const int Size = 256;
    public const int BatchSize = 8;
    private const string Category = "synth_texture";

    private string _folder = null!;
    private DetectorSettings _settings = null!;

    [ParamsSource(nameof(Devices))]
    public string Device { get; set; } = "cpu";

    public static IEnumerable<string> Devices() => BenchmarkRuntime.Devices();

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkRuntime.Prepare();
        _folder = Path.Combine(Path.GetTempPath(), "uniformaly-e2e-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        var checkpoint = Path.Combine(_folder, "vits16_random.pth");
        PythonReference.RunScript("tools/reference_pipeline.py", "random-checkpoint", "--out", checkpoint);
        _settings = new DetectorSettings { Backbone = null, Checkpoint = checkpoint, Sampler = SamplerKind.Identity }.Validate();
        // The same split as EndToEndBenchmark.Run makes (40 % normal, the rest over 3 defect types).
        var good = TestImages * 2 / 5;
        SyntheticDataset.Write(Path.Combine(_folder, "data"), new SyntheticDatasetOptions
        {
            Categories = [Category], TrainImages = TrainImages, TestGoodImages = good, TestImagesPerDefect = (TestImages - good) / 3, Size = Size,
        });
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Baseline = true, Description = "tools/reference_pipeline.py run")]
    public void Reference()
    {
        var output = PythonReference.RunScript("tools/reference_pipeline.py", "run", "--data-root", Path.Combine(_folder, "data"),
            "--category", Category, "--checkpoint", _settings.Checkpoint!, "--batch-size", BatchSize.ToString(CultureInfo.InvariantCulture),
            "--threads", BenchmarkRuntime.Threads.ToString(CultureInfo.InvariantCulture), "--device", Device);
        using var json = JsonDocument.Parse(output);
        Throughput.Record(nameof(Reference), Device, json.RootElement.GetProperty("fit_images_per_second").GetDouble(),
            json.RootElement.GetProperty("predict_images_per_second").GetDouble());
    }

    [Benchmark(Description = "Uniformaly (EndToEndBenchmark)")]
    public void Uniformaly()
    {
        var result = EndToEndBenchmark.Run(_settings, Research.Torch.Device.Parse(Device), BatchSize, TrainImages, TestImages, Size);
        Throughput.Record(nameof(Uniformaly), Device, result.FitImagesPerSecond, result.PredictImagesPerSecond);
    }
}

/// <summary>The fit and predict images/second each call reported, by (method, device), read by the
/// summary's columns (the suite runs in-process, so they share this process).</summary>
public static class Throughput
{
    private static readonly ConcurrentDictionary<(string Method, string Device), ConcurrentQueue<(double Fit, double Predict)>> Calls = new();

    public static void Record(string method, string device, double fit, double predict) =>
        Calls.GetOrAdd((method, device), _ => new()).Enqueue((fit, predict));

    /// <summary>Median of the recorded calls (warm-up included: each call is a full fit and predict), or null.</summary>
    public static double? Median(string method, string device, bool fit)
    {
        if (!Calls.TryGetValue((method, device), out var calls) || calls.IsEmpty) return null;
        var values = calls.Select(c => fit ? c.Fit : c.Predict).Order().ToArray();
        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
    }
}

/// <summary>A column of <see cref="Throughput"/>'s medians.</summary>
public sealed class ThroughputColumn(bool fit) : IColumn
{
    public string Id => fit ? "FitImagesPerSecond" : "PredictImagesPerSecond";
    public string ColumnName => fit ? "Fit img/s" : "Predict img/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => fit ? 0 : 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => fit ? "median training images per second of fit, as the side timed it" : "median test images per second of predict, as the side timed it";
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var device = (string)benchmarkCase.Parameters[nameof(EndToEndThroughputBenchmark.Device)];
        var value = Throughput.Median(benchmarkCase.Descriptor.WorkloadMethod.Name, device, fit);
        return value is { } v ? v.ToString("F2", CultureInfo.InvariantCulture) : "-";
    }
}

/// <summary>In-process, one call per iteration (each is a whole fit and predict of 200 images):
/// one warm-up and 3 measured calls per method and device.</summary>
public sealed class EndToEndThroughputConfig : ManualConfig
{
    public EndToEndThroughputConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessConfig.LongRunning).WithStrategy(RunStrategy.Monitoring)
            .WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1));
        AddColumn(BaselineRatioColumn.RatioMean, new ThroughputColumn(fit: true), new ThroughputColumn(fit: false));
        AddColumnProvider(DefaultColumnProviders.Instance);
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }
}

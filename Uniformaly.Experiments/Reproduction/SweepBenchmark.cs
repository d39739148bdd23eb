using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Research.Torch;

namespace Uniformaly.Experiments.Reproduction;

/// <summary>What `uniformaly bench sweep` reports: a single run and a kernel-size sweep, each from an empty feature cache.</summary>
public sealed record SweepBenchmarkResult(string Backbone, int Threads, int Categories, int ImagesPerCategory, int Points,
    double SingleSeconds, double SweepSeconds, int SweepBackboneImages)
{
    /// <summary>Sweep wall time over the single run's: the feature cache's whole point (issue target: at most 1.5).</summary>
    public double Ratio => SweepSeconds / SingleSeconds;

    public string ToJson() => JsonSerializer.Serialize(new
    {
        backbone = Backbone, threads = Threads, categories = Categories, images_per_category = ImagesPerCategory, points = Points,
        single_seconds = SingleSeconds, sweep_seconds = SweepSeconds, ratio = Ratio, sweep_backbone_images = SweepBackboneImages,
    });
}

/// <summary>
/// Times Table 9's defect task on generated MVTec-layout data: one run at n = 7, then the sweep
/// over the first <c>points</c> of n = 1, 3, ..., 13, each starting from an empty feature cache so the
/// sweep pays for its backbone pass once. Both go through the reproduction runner, reports included.
/// A warm-up run first keeps one-time costs (JIT, libtorch start-up) out of both figures.
/// </summary>
public static class SweepBenchmark
{
    public static SweepBenchmarkResult Run(string? backbone, string? checkpoint, Device device, int batchSize, int points,
        SyntheticDatasetOptions data)
    {
        if (points is < 1 or > 7) throw new ArgumentOutOfRangeException(nameof(points), points, "--points must be 1..7 (n = 1, 3, ..., 13)");
        var root = Path.Combine(Path.GetTempPath(), "uniformaly-sweep-" + Guid.NewGuid().ToString("N"));
        try
        {
            SyntheticDataset.Write(Path.Combine(root, "data", "mvtec"), data);
            var options = new ReproductionOptions
            {
                DataRoot = Path.Combine(root, "data"), Output = Path.Combine(root, "out"), Device = device, BatchSize = batchSize,
                Backbone = checkpoint is null ? backbone ?? "random_vits16" : null, Checkpoint = checkpoint,
                Categories = string.Join(",", data.Categories),
            };
            var kernels = string.Join(", ", new[] { 7, 1, 3, 5, 9, 11, 13 }.Take(points));
            Time(Definition("warmup", "[7]"), options, Path.Combine(root, "cache-warmup"));
            var (single, _) = Time(Definition("single", "[7]"), options, Path.Combine(root, "cache-single"));
            var (sweep, result) = Time(Definition("sweep", $"[{kernels}]"), options, Path.Combine(root, "cache-sweep"));
            var images = data.TrainImages + data.TestGoodImages + SyntheticPainter.DefectTypes.Count * data.TestImagesPerDefect;
            return new SweepBenchmarkResult(result.Backbones.Single(), TorchRuntime.NumThreads, data.Categories.Count, images, points,
                single, sweep, result.FeatureCacheMisses);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    private static ExperimentDefinition Definition(string name, string kernels) => ExperimentDefinitionReader.Read($$"""
        name: {{name}}
        title: Table 9 defect task ({{name}})
        backbone: random_vits16
        settings: {sampler-ratio: 0.1}
        sweep: {parameter: kernel, values: {{kernels}}}
        paper: {table: uniformaly_table9_kernel_size, row: "defect/{metric}", column: "n{value}"}
        tasks:
          - {name: defect, data: mvtec, metrics: [image_auroc, pixel_auroc]}
        """, $"bench sweep ({name})");

    private static (double Seconds, ReproductionResult Result) Time(ExperimentDefinition definition, ReproductionOptions options, string cache)
    {
        var clock = Stopwatch.StartNew();
        options = options with { CacheRoot = cache };
        using var runner = new ReproductionRunner(definition, options, NullProgress.Instance, TextWriter.Null);
        var result = runner.Run();
        runner.Report(result);
        return (clock.Elapsed.TotalSeconds, result);
    }

    /// <summary>A one-line summary for the terminal.</summary>
    public static string Describe(SweepBenchmarkResult r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Backbone}, {r.Threads} threads, {r.Categories} categories x {r.ImagesPerCategory} images: single run (n = 7) {r.SingleSeconds:F2} s, " +
        $"{r.Points}-point kernel sweep {r.SweepSeconds:F2} s = {r.Ratio:F2}x; the sweep ran the backbone on {r.SweepBackboneImages} images");
}

using System.Diagnostics;
using System.Text.Json;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Research.Evaluation;
using Uniformaly.Research.Features;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Benchmarks;

/// <summary>What `uniformaly bench e2e` reports.</summary>
public sealed record EndToEndBenchmarkResult(string Backbone, string Device, int Threads, int TrainImages, int TestImages, long BankSize,
    double FitImagesPerSecond, double PredictImagesPerSecond, double PeakMemoryMegabytes)
{
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
}

/// <summary>
/// Fit and predict throughput of the whole pipeline (decoding, preprocessing, backbone, BPM, bank,
/// kNN, scoring, maps) on a synthetic category written to a temporary folder, which is removed after.
/// </summary>
public static class EndToEndBenchmark
{
    /// <param name="settings">The detector.</param>
    /// <param name="device">Where it runs.</param>
    /// <param name="batchSize">Images per forward pass.</param>
    /// <param name="trainImages">Training images, at least 1.</param>
    /// <param name="testImages">Test images, at least 4 (normal ones and three defect types).</param>
    /// <param name="size">Image side in pixels.</param>
    /// <param name="weightsFolder">Where a named backbone's file is (default: the usual folders).</param>
    public static EndToEndBenchmarkResult Run(DetectorSettings settings, Device device, int batchSize, int trainImages, int testImages, int size,
        string? weightsFolder = null)
    {
        var root = Path.Combine(Path.GetTempPath(), "uniformaly-e2e-" + Guid.NewGuid().ToString("N"));
        try
        {
            var good = Math.Max(1, testImages * 2 / 5);
            SyntheticDataset.Write(root, new SyntheticDatasetOptions
            {
                Categories = ["synth_texture"], TrainImages = trainImages, TestGoodImages = good,
                TestImagesPerDefect = Math.Max(1, (testImages - good) / 3), Size = size,
            });
            var options = new EvaluationOptions
            {
                Dataset = DatasetKind.Folder, DataRoot = root, Detector = settings, Device = device, BatchSize = batchSize, OutputFolder = root,
            };
            using var extractor = FeatureExtractor.Create(settings, device, weightsFolder);
            var category = new DetectionEvaluation(extractor.Input, extractor, NullProgress.Instance).Run(options).Categories.Single();
            using var process = Process.GetCurrentProcess();
            return new EndToEndBenchmarkResult(extractor.Description, device.ToString(), TorchRuntime.NumThreads, category.TrainImages,
                category.Scores.Count, category.BankSize, category.TrainImages / category.FitSeconds,
                category.Scores.Count / category.ScoreSeconds, process.PeakWorkingSet64 / (1024.0 * 1024.0));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}

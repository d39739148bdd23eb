using System.Diagnostics;
using System.Text.Json;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Evaluation;

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
    public static EndToEndBenchmarkResult Run(DetectorSettings settings, Device device, int batchSize, int trainImages, int testImages, int size)
    {
        if (trainImages < 1 || testImages < 4) throw new ArgumentException("--train must be >= 1 and --test >= 4 (normal images and three defect types)");
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
            using var backend = DetectorBackend.Create(settings, device);
            var category = new DetectionEvaluation(backend.Input, backend.Extractor, NullProgress.Instance).Run(options).Categories.Single();
            using var process = Process.GetCurrentProcess();
            return new EndToEndBenchmarkResult(backend.Description, device.ToString(), TorchRuntime.NumThreads, category.TrainImages,
                category.Scores.Count, category.BankSize, category.TrainImages / category.FitSeconds,
                category.Scores.Count / category.ScoreSeconds, process.PeakWorkingSet64 / (1024.0 * 1024.0));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}

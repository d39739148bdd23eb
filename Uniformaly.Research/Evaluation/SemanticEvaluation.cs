using System.Diagnostics;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Features;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Metrics;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Evaluation;

/// <summary>A semantic anomaly-detection run: which classes are normal, and the detector settings.</summary>
public sealed record SemanticOptions
{
    /// <summary>Normal class indices: one (one-class) or several (multi-class).</summary>
    public required IReadOnlySet<int> NormalClasses { get; init; }

    public required DetectorSettings Detector { get; init; }

    /// <summary>How the detector's settings are named in messages (--nn, or the file and key they came from).</summary>
    public Func<Setting, string>? SettingNames { get; init; }

    public Device Device { get; init; } = Device.Cpu;

    public int BatchSize { get; init; } = 8;

    /// <summary>Training images (of the normal classes) to draw, with the detector's seed; null = all.</summary>
    public int? LowShot { get; init; }
}

/// <summary>
/// Semantic anomaly detection (docs/method.md section 12): the bank is built from the training images of the
/// normal classes; the whole test set is scored, anomalous = any other class. Image metrics only.
/// </summary>
public sealed class SemanticEvaluation(SemanticDataset dataset, IFeatureExtractor extractor, IProgressSink progress)
{
    public CategoryResult Run(SemanticOptions options)
    {
        TorchRuntime.EnsureAvailable(options.Device);
        var clock = Stopwatch.StartNew();
        var normal = dataset.Train.Where(s => options.NormalClasses.Contains(s.ClassIndex)).ToList();
        var train = options.LowShot is { } shots ? LowShot.Select(normal, shots, options.Detector.Seed) : normal;
        if (train.Count == 0) throw new DatasetException($"{dataset.Name}: no training images of the normal classes");
        BankBound.Check(options.Detector, train.Count, BankBound.PatchesPerImage(dataset.ImageSize, extractor.PatchSize), options.SettingNames);
        UniformalyDetector detector;
        using (var stage = progress.Begin($"{dataset.Name}: extracting training features", train.Count))
            detector = UniformalyDetector.Fit(options.Detector, Features(train, true, RotatedReferences.For(extractor, options.Detector), options.BatchSize, stage), options.Device, progress: progress);
        using (detector)
        {
            var fitSeconds = clock.Elapsed.TotalSeconds;
            clock.Restart();
            var (scored, masked) = Score(detector, options);
            var scoreSeconds = clock.Elapsed.TotalSeconds;
            var (metrics, curves) = DetectionMetrics.ComputeWithCurves(scored.Select(s => (byte)s.Sample.Label).ToList(), scored.Select(s => s.Score).ToList());
            var name = "normal " + string.Join("+", options.NormalClasses.Select(c => dataset.ClassNames[c]));
            return new CategoryResult(name, metrics, train.Count, detector.BankSize, fitSeconds, scoreSeconds, fitSeconds + clock.Elapsed.TotalSeconds, scored)
                { Curves = curves, Masking = detector.Masked(masked) };
        }
    }

    /// <summary>Every test image's score, and the test patches with those BPM zeroed.</summary>
    private (List<ScoredImage> Scored, PatchCount Masked) Score(UniformalyDetector detector, SemanticOptions options)
    {
        var scored = new List<ScoredImage>();
        var masked = new PatchCount();
        using var stage = progress.Begin($"{dataset.Name}: scoring test images", dataset.Test.Count);
        var batches = dataset.Test.Chunk(options.BatchSize).GetEnumerator();
        foreach (var features in Features(dataset.Test, false, extractor, options.BatchSize, stage))
        {
            batches.MoveNext();
            using var output = detector.Predict(features);
            masked += output.Masking;
            var scores = output.Scores.ToArray<float>();
            for (var i = 0; i < batches.Current.Length; i++)
            {
                var sample = batches.Current[i];
                var label = options.NormalClasses.Contains(sample.ClassIndex) ? 0 : 1;
                var image = new ImageSample(sample.Id, sample.Id, dataset.Name, dataset.ClassNames[sample.ClassIndex], label, null);
                scored.Add(new ScoredImage(image, scores[i]));
            }
        }
        return (scored, masked);
    }

    /// <param name="samples">The images.</param>
    /// <param name="train">Whether they are training images (read as the dataset reads those).</param>
    /// <param name="through">The extractor: <c>extractor</c>, or with rotations for the training images.</param>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="stage">Advanced per batch.</param>
    private IEnumerable<PatchFeatures> Features(IReadOnlyList<SemanticSample> samples, bool train, IFeatureExtractor through, int batchSize, IProgressStage stage)
    {
        foreach (var batch in samples.Chunk(batchSize))
        {
            using (var images = dataset.LoadBatch(batch, train))
            using (var features = through.Extract(images))
                yield return features;
            stage.Advance(batch.Length);
        }
    }
}

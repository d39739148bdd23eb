using System.Diagnostics;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Metrics;
using Uniformaly.Research.Torch;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Research.Evaluation;

/// <summary>
/// Fits and evaluates UniFormaly on MVTec-layout data (SPEC section 12): one-class (a bank per
/// category) or multi-class (one bank for all), optionally low-shot; every test image is scored,
/// mapped and compared with its mask.
/// </summary>
public sealed class DetectionEvaluation(IImageInput input, IPatchEmbedder embedder, IProgressSink progress)
{
    private readonly List<string> _warnings = [];

    public EvaluationResult Run(EvaluationOptions options)
    {
        options.Detector.Validate();
        if (options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, "--batch-size must be at least 1");
        TorchRuntime.EnsureAvailable(options.Device);
        var splits = MvtecLayoutDataset.ResolveCategories(options.DataRoot, options.Dataset, options.Categories)
            .Select(c => MvtecLayoutDataset.Load(options.DataRoot, c, options.Dataset)).ToList();
        var results = options.MultiClass ? RunMultiClass(options, splits) : splits.Select(s => RunOneClass(options, s)).ToList();
        return new EvaluationResult(results, _warnings);
    }

    private CategoryResult RunOneClass(EvaluationOptions options, CategorySplit split)
    {
        var clock = Stopwatch.StartNew();
        var train = TrainingImages(options, split);
        using var detector = Fit(options, train, split.Category);
        return Evaluate(options, detector, split, train.Count, clock);
    }

    private List<CategoryResult> RunMultiClass(EvaluationOptions options, List<CategorySplit> splits)
    {
        var clock = Stopwatch.StartNew();
        var train = splits.SelectMany(s => TrainingImages(options, s)).ToList();
        using var detector = Fit(options, train, "all categories");
        var fitSeconds = clock.Elapsed.TotalSeconds;
        return splits.Select(s => Evaluate(options, detector, s, train.Count, Stopwatch.StartNew(), fitSeconds)).ToList();
    }

    private IReadOnlyList<ImageSample> TrainingImages(EvaluationOptions options, CategorySplit split) =>
        options.LowShot is { } shots ? LowShot.Select(split.Train, shots, options.Detector.Seed) : split.Train;

    private UniformalyDetector Fit(EvaluationOptions options, IReadOnlyList<ImageSample> train, string name)
    {
        using var stage = progress.Begin($"{name}: embedding training images", train.Count);
        var detector = UniformalyDetector.Fit(options.Detector, Embeddings(options, train, stage), options.Device);
        return detector;
    }

    /// <summary>Each batch's embedding, freed when the consumer moves on to the next.</summary>
    private IEnumerable<PatchEmbedding> Embeddings(EvaluationOptions options, IReadOnlyList<ImageSample> images, IProgressStage stage)
    {
        foreach (var batch in images.Chunk(options.BatchSize))
        {
            var (_, tensor) = LoadBatch(options, batch);
            stage.Advance(batch.Length);
            if (tensor is null) continue;
            using (tensor)
            using (var embedding = embedder.Embed(tensor))
                yield return embedding;
        }
    }

    private CategoryResult Evaluate(EvaluationOptions options, UniformalyDetector detector, CategorySplit split, int trainImages,
        Stopwatch clock, double sharedFitSeconds = 0)
    {
        var size = input.ImageSize;
        var scored = new List<ScoredImage>();
        var maps = new List<float[]>();
        using (var stage = progress.Begin($"{split.Category}: scoring test images", split.Test.Count))
        {
            foreach (var batch in split.Test.Chunk(options.BatchSize))
            {
                var (readable, tensor) = LoadBatch(options, batch);
                stage.Advance(batch.Length);
                if (tensor is null) continue;
                using (tensor) ScoreBatch(detector, readable, tensor, scored, maps);
            }
        }
        var masks = scored.Select(s => s.Sample.MaskPath is { } mask ? input.LoadMask(mask, s.Sample.Path) : new byte[size * size]).ToList();
        if (options.SaveMaps) SaveOverlays(options, scored, maps);
        var labels = scored.Select(s => (byte)s.Sample.Label).ToList();
        var metrics = split.HasMasks
            ? DetectionMetrics.Compute(labels, scored.Select(s => s.Score).ToList(), maps, masks, size, size)
            : DetectionMetrics.Compute(labels, scored.Select(s => s.Score).ToList());
        return new CategoryResult(split.Category, metrics, trainImages, detector.BankSize, sharedFitSeconds + clock.Elapsed.TotalSeconds, scored);
    }

    private void ScoreBatch(UniformalyDetector detector, IReadOnlyList<ImageSample> samples, Tensor images,
        List<ScoredImage> scored, List<float[]> maps)
    {
        var pixels = input.ImageSize * input.ImageSize;
        using var embedding = embedder.Embed(images);
        using var output = detector.Predict(embedding);
        var scores = output.Scores.ToArray<float>();
        var all = output.Maps.ToArray<float>();
        for (var i = 0; i < samples.Count; i++)
        {
            scored.Add(new ScoredImage(samples[i], scores[i]));
            maps.Add(all.AsSpan(i * pixels, pixels).ToArray());
        }
    }

    /// <summary>The batch as a tensor; with --skip-bad-images, unreadable files are dropped with a warning.</summary>
    private (IReadOnlyList<ImageSample> Readable, Tensor? Images) LoadBatch(EvaluationOptions options, ImageSample[] batch)
    {
        try
        {
            return (batch, input.LoadBatch(batch.Select(s => s.Path).ToList()));
        }
        catch (Exception e) when (options.SkipBadImages && input.IsUnreadable(e))
        {
            var readable = new List<ImageSample>();
            foreach (var sample in batch)
            {
                try
                {
                    input.LoadBatch([sample.Path]).Dispose();
                    readable.Add(sample);
                }
                catch (Exception bad) when (input.IsUnreadable(bad))
                {
                    _warnings.Add($"skipped {sample.RelativePath}: {bad.Message}");
                }
            }
            return readable.Count == 0 ? (readable, null) : (readable, input.LoadBatch(readable.Select(s => s.Path).ToList()));
        }
    }

    /// <summary>Heatmap overlays on one colour scale per category (the range of all its maps), so
    /// normal images look calm and defects stand out.</summary>
    private void SaveOverlays(EvaluationOptions options, List<ScoredImage> scored, List<float[]> maps)
    {
        var (lo, hi) = (maps.Min(m => m.Min()), maps.Max(m => m.Max()));
        for (var i = 0; i < scored.Count; i++)
        {
            var sample = scored[i].Sample;
            var path = Path.Combine(options.OutputFolder, "maps", Path.ChangeExtension(sample.RelativePath, ".png"));
            input.SavePng(path, Heatmap.Overlay(input.LoadCrop(sample.Path), maps[i], lo, hi));
        }
    }
}

using System.Diagnostics;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Features;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Metrics;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Research.Evaluation;

/// <summary>
/// Fits and evaluates UniFormaly on MVTec-layout data (docs/method.md section 12): one-class (a bank per
/// category) or multi-class (one bank for all), optionally low-shot; every test image is scored,
/// mapped and compared with its mask.
/// </summary>
public sealed class DetectionEvaluation(IImageInput input, IFeatureExtractor extractor, IProgressSink progress)
{
    private FeatureStream _stream = null!;
    private readonly List<string> _warnings = [];

    /// <summary>Lists the dataset's categories; cheap, so callers can check the data before loading a model.</summary>
    public static IReadOnlyList<CategorySplit> LoadSplits(EvaluationOptions options) =>
        MvtecLayoutDataset.ResolveCategories(options.DataRoot, options.Dataset, options.Categories)
            .Select(c => MvtecLayoutDataset.Load(options.DataRoot, c, options.Dataset)).ToList();

    public EvaluationResult Run(EvaluationOptions options) => Run(options, LoadSplits(options));

    /// <summary>Runs on splits already listed by <see cref="LoadSplits"/>.</summary>
    /// <exception cref="SettingException">--nn exceeds what a category's bank can hold (checked before any image is read).</exception>
    public EvaluationResult Run(EvaluationOptions options, IReadOnlyList<CategorySplit> splits)
    {
        TorchRuntime.EnsureAvailable(options.Device);
        var patches = BankBound.PatchesPerImage(input.ImageSize, extractor.PatchSize);
        if (options.MultiClass) BankBound.Check(options.Detector, splits.Sum(s => TrainingImages(options, s).Count), patches, options.SettingNames);
        else foreach (var split in splits) BankBound.Check(options.Detector, TrainingImages(options, split).Count, patches, options.SettingNames);
        _stream = new FeatureStream(input, extractor, options.BatchSize, options.SkipBadImages);
        _warnings.Clear();
        var results = options.MultiClass ? RunMultiClass(options, splits) : splits.Select(s => RunOneClass(options, s)).ToList();
        var masked = MaskedPatches.Sum([.. results.Select(r => r.Masking!)]);
        // A multi-class run fits once: its training patches are counted once, not per category.
        if (options.MultiClass) masked = masked with { Train = results[0].Masking!.Train };
        return new EvaluationResult(results, [.. _warnings, .. _stream.Warnings]) { Masking = masked };
    }

    private CategoryResult RunOneClass(EvaluationOptions options, CategorySplit split)
    {
        var clock = Stopwatch.StartNew();
        var train = TrainingImages(options, split);
        using var detector = Fit(options, train, split.Category);
        return Evaluate(options, detector, split, train.Count, clock.Elapsed.TotalSeconds);
    }

    private List<CategoryResult> RunMultiClass(EvaluationOptions options, IReadOnlyList<CategorySplit> splits)
    {
        var clock = Stopwatch.StartNew();
        var train = splits.SelectMany(s => TrainingImages(options, s)).ToList();
        using var detector = Fit(options, train, "all categories");
        var fitSeconds = clock.Elapsed.TotalSeconds;
        return splits.Select(s => Evaluate(options, detector, s, train.Count, fitSeconds)).ToList();
    }

    private IReadOnlyList<ImageSample> TrainingImages(EvaluationOptions options, CategorySplit split) =>
        options.LowShot is { } shots ? LowShot.Select(split.Train, shots, options.Detector.Seed) : split.Train;

    private UniformalyDetector Fit(EvaluationOptions options, IReadOnlyList<ImageSample> train, string name)
    {
        using var stage = progress.Begin($"{name}: extracting training features", train.Count);
        return UniformalyDetector.Fit(options.Detector, _stream.Extract(train, stage, RotatedReferences.For(extractor, options.Detector)).Select(b => b.Features), options.Device, progress: progress);
    }

    private CategoryResult Evaluate(EvaluationOptions options, UniformalyDetector detector, CategorySplit split, int trainImages,
        double fitSeconds)
    {
        var clock = Stopwatch.StartNew();
        var size = input.ImageSize;
        var scored = new List<ScoredImage>();
        var maps = new List<float[]>();
        var masked = new PatchCount();
        using (var stage = progress.Begin($"{split.Category}: scoring test images", split.Test.Count))
        {
            foreach (var (samples, features) in _stream.Extract(split.Test, stage))
                masked += ScoreBatch(detector, split.Category, samples, features, scored, maps);
        }
        var scoreSeconds = clock.Elapsed.TotalSeconds;
        var masks = Masks(split, scored);
        if (options.SaveMaps) SaveOverlays(options, scored, maps, masks);
        if (options.GalleryImages > 0) SaveGallery(options, split.Category, scored, maps, masks);
        var labels = scored.Select(s => (byte)s.Sample.Label).ToList();
        var (metrics, curves) = split.HasMasks
            ? DetectionMetrics.ComputeWithCurves(labels, scored.Select(s => s.Score).ToList(), maps, masks, size, size)
            : DetectionMetrics.ComputeWithCurves(labels, scored.Select(s => s.Score).ToList());
        return new CategoryResult(split.Category, metrics, trainImages, detector.BankSize, fitSeconds, scoreSeconds,
            fitSeconds + clock.Elapsed.TotalSeconds, scored) { Curves = curves, Masking = detector.Masked(masked) };
    }

    /// <summary>Each scored image's ground truth: its mask, all zeros for a normal image, and null (left out of
    /// the pixel metrics, with a warning) for a defect image without a mask in a category that has masks.</summary>
    private List<byte[]?> Masks(CategorySplit split, List<ScoredImage> scored)
    {
        var size = input.ImageSize;
        var masks = scored.Select(s => s.Sample.MaskPath is { } mask ? input.LoadMask(mask, s.Sample.Path)
            : s.Sample.IsAnomalous ? null : new byte[size * size]).ToList();
        var missing = scored.Where((s, i) => masks[i] is null).Select(s => s.Sample.RelativePath).ToList();
        if (split.HasMasks && missing.Count > 0)
            _warnings.Add($"{split.Category}: {missing.Count} defect image{(missing.Count == 1 ? " has" : "s have")} no ground-truth mask " +
                $"(looked for under {split.Category}/ground_truth/<type>/), so the pixel metrics leave " +
                $"{(missing.Count == 1 ? "it" : "them")} out: {TextList.Commas(missing.Take(10))}{(missing.Count > 10 ? ", ..." : "")}");
        return masks;
    }

    /// <summary>Scores a batch into <paramref name="scored"/> and <paramref name="maps"/>; returns its test patches and those BPM zeroed.</summary>
    private PatchCount ScoreBatch(UniformalyDetector detector, string category, IReadOnlyList<ImageSample> samples, PatchFeatures features,
        List<ScoredImage> scored, List<float[]> maps)
    {
        var pixels = input.ImageSize * input.ImageSize;
        using var output = detector.Predict(features, category);
        var scores = output.Scores.ToArray<float>();
        var all = output.Maps.ToArray<float>();
        for (var i = 0; i < samples.Count; i++)
        {
            scored.Add(new ScoredImage(samples[i], scores[i]));
            maps.Add(all.AsSpan(i * pixels, pixels).ToArray());
        }
        return output.Masking;
    }

    /// <summary>The category's most telling overlays (<see cref="HeatmapGallery"/>), on the colour scale of all its maps.</summary>
    private void SaveGallery(EvaluationOptions options, string category, List<ScoredImage> scored, List<float[]> maps, List<byte[]?> masks)
    {
        var (lo, hi) = ColourRange(maps);
        HeatmapGallery.Write(Path.Combine(options.OutputFolder, "gallery", category), $"{category}: best and worst test images",
            HeatmapGallery.Select(scored, options.GalleryImages), input.ImageSize,
            i => (input.LoadCrop(scored[i].Sample.Path), maps[i], masks[i]), lo, hi);
    }

    /// <summary>Heatmap figures (<see cref="HeatmapFigure"/>) on one colour scale per category (the range of all its
    /// maps), so normal images look calm and defects stand out; the ground truth outlined, the score in the caption.</summary>
    private void SaveOverlays(EvaluationOptions options, List<ScoredImage> scored, List<float[]> maps, List<byte[]?> masks)
    {
        var (lo, hi) = ColourRange(maps);
        for (var i = 0; i < scored.Count; i++)
        {
            var sample = scored[i].Sample;
            var path = Path.Combine(options.OutputFolder, "maps", Path.ChangeExtension(sample.RelativePath, ".png"));
            var caption = $"score {scored[i].Score.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)} · {sample.AnomalyType}" +
                (sample.MaskPath is null ? "" : "\nwhite outline: ground truth");
            HeatmapFigure.Write(path, Path.GetFileName(sample.Path), new HeatmapPanel(input.LoadCrop(sample.Path), maps[i], masks[i], caption),
                input.ImageSize, lo, hi, "anomaly score");
        }
    }

    /// <summary>The range of all of a category's maps: one colour scale for every overlay of it.</summary>
    private static (float Lo, float Hi) ColourRange(List<float[]> maps) => (maps.Min(m => m.Min()), maps.Max(m => m.Max()));
}

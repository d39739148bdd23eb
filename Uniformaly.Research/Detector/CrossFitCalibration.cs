using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Decisions;
using Uniformaly.Research.Features;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Metrics;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Detector;

/// <summary>Extracts the patch features of image files, batch by batch, advancing <c>stage</c> per image.</summary>
public delegate IEnumerable<PatchFeatures> ExtractFeatures(IReadOnlyList<string> paths, IProgressStage stage);

/// <summary>
/// Fits a detector and its <see cref="Calibration"/> (docs/method.md section 20): the memory bank of all
/// training images, which is the model, and per fold a bank without that fold's images that scores
/// them, so every normal training image gets a score from a bank that never saw it. With labelled
/// validation images, the model scores them and the F1-optimal thresholds are kept.
/// </summary>
/// <param name="extract">The features of image files, as they are scored.</param>
/// <param name="input">Reads the validation images' masks.</param>
/// <param name="device">Where the banks live.</param>
/// <param name="progress">Reports each stage.</param>
/// <param name="extractReferences">The training images' features for the banks, when they differ from
/// <paramref name="extract"/>'s (--rotate-references: each image followed by its rotated copies).</param>
public sealed class CrossFitCalibration(ExtractFeatures extract, IImageInput input, Device device, IProgressSink progress,
    ExtractFeatures? extractReferences = null)
{
    /// <summary>The detector of all <paramref name="training"/> images and its calibration.</summary>
    /// <param name="settings">The detector's settings.</param>
    /// <param name="training">Normal images.</param>
    /// <param name="folds">Cross-fit folds, at most one per image.</param>
    /// <param name="validation">Labelled images (normal and defective, defects with or without masks), or null.</param>
    /// <param name="validationFolder">Where they are, as the user gave it.</param>
    public (UniformalyDetector Model, Calibration Calibration) Fit(DetectorSettings settings, IReadOnlyList<string> training, int folds,
        IReadOnlyList<ImageSample>? validation = null, string? validationFolder = null)
    {
        folds = Math.Min(folds, training.Count);
        if (folds < 2) throw new ArgumentException($"calibration needs at least 2 training images, got {training.Count}");
        var (model, foldModels) = FitBanks(settings, training, folds);
        try
        {
            var (scores, maxima, pixelRange) = ScoreFolds(training, foldModels);
            Array.Sort(scores);
            Array.Sort(maxima);
            var imageRange = ScoreRange.Of(scores);
            ValidationThresholds? thresholds = null;
            if (validation is not null)
            {
                (thresholds, var validationImages, var validationPixels) = Validate(model, validation, validationFolder ?? "");
                (imageRange, pixelRange) = (imageRange.Union(validationImages), pixelRange.Union(validationPixels));
            }
            return (model, new Calibration(folds, scores, maxima, imageRange, pixelRange, thresholds));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private (UniformalyDetector Model, IReadOnlyList<UniformalyDetector> Folds) FitBanks(DetectorSettings settings, IReadOnlyList<string> training, int folds)
    {
        using var stage = progress.Begin($"extracting training features ({folds} cross-fit folds)", training.Count);
        return UniformalyDetector.FitWithFolds(settings, (extractReferences ?? extract)(training, stage), device, folds, progress: progress);
    }

    /// <summary>Each fold's images scored by the bank that left them out; each fold's bank is freed once used.</summary>
    private (float[] Scores, float[] Maxima, ScoreRange Pixels) ScoreFolds(IReadOnlyList<string> training, IReadOnlyList<UniformalyDetector> folds)
    {
        var (scores, maxima) = (new List<float>(), new List<float>());
        var pixels = new ScoreRange(float.PositiveInfinity, float.NegativeInfinity);
        using var stage = progress.Begin("scoring training images with the banks of the other folds", training.Count);
        try
        {
            for (var j = 0; j < folds.Count; j++)
            {
                var fold = training.Where((_, i) => i % folds.Count == j).ToList();
                foreach (var features in extract(fold, stage))
                {
                    using var output = folds[j].Predict(features);
                    scores.AddRange(output.Scores.ToArray<float>());
                    var maps = output.Maps.ToArray<float>();
                    var size = maps.Length / (int)features.Batch;
                    for (var i = 0; i < features.Batch; i++)
                    {
                        var map = ScoreRange.Of(maps.AsSpan(i * size, size).ToArray());
                        maxima.Add(map.Max);
                        pixels = pixels.Union(map);
                    }
                }
                folds[j].Dispose();
            }
        }
        finally
        {
            foreach (var fold in folds) fold.Dispose();
        }
        return ([.. scores], [.. maxima], pixels);
    }

    /// <summary>The model's F1-optimal image threshold on the validation images and, where they have masks, its pixel threshold.</summary>
    private (ValidationThresholds Thresholds, ScoreRange Images, ScoreRange Pixels) Validate(UniformalyDetector model, IReadOnlyList<ImageSample> validation, string folder)
    {
        var (scores, maps) = (new List<float>(), new List<float>());
        using (var stage = progress.Begin("scoring validation images", validation.Count))
        {
            foreach (var features in extract([.. validation.Select(s => s.Path)], stage))
            {
                using var output = model.Predict(features);
                scores.AddRange(output.Scores.ToArray<float>());
                maps.AddRange(output.Maps.ToArray<float>());
            }
        }
        var labels = validation.Select(s => (byte)s.Label).ToArray();
        var (imageF1, imageThreshold) = BinaryMetrics.F1Optimal(scores.ToArray(), labels);
        var (pixelThreshold, pixelF1) = ((float?)null, (double?)null);
        if (validation.Any(s => s.MaskPath is not null))
        {
            var pixels = input.ImageSize * input.ImageSize;
            var truth = new byte[validation.Count * pixels];
            for (var i = 0; i < validation.Count; i++)
                if (validation[i].MaskPath is { } mask) input.LoadMask(mask, validation[i].Path).CopyTo(truth, i * pixels);
            (pixelF1, pixelThreshold) = BinaryMetrics.F1Optimal(maps.ToArray(), truth);
        }
        var defects = labels.Count(l => l == 1);
        return (new ValidationThresholds(folder, labels.Length - defects, defects, imageThreshold, imageF1, pixelThreshold, pixelF1),
            ScoreRange.Of(scores), ScoreRange.Of(maps));
    }
}

using Uniformaly.Research.Clustering;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Features;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Scoring;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Evaluation;

/// <summary>One image's cluster.</summary>
public sealed record ClusteredImage(ImageSample Sample, int Cluster, double[] Feature);

/// <summary>A category's clustering and its agreement with the true anomaly types.</summary>
public sealed record CategoryClustering(string Category, int K, double Nmi, double Ari, double F1, IReadOnlyList<ClusteredImage> Images)
{
    /// <summary>What Back Patch Masking removed in the category's fit and test images.</summary>
    public MaskedPatches? Masking { get; init; }
}

/// <summary>
/// Anomaly clustering (docs/method.md section 11): per category, a detector is fitted on the training images;
/// each test image (good included) is described by the mean patch feature at its top k-ratio
/// patches (or the Max/All selectors of Table 8); K-means with k = the number of distinct anomaly
/// types (k-means++, 10 restarts, seeded) groups them; NMI, ARI and Hungarian F1 against the types.
/// </summary>
public sealed class ClusteringEvaluation(IImageInput input, IFeatureExtractor extractor, IProgressSink progress)
{
    /// <param name="options">Dataset, detector and compute settings.</param>
    /// <param name="selector">Top-k (the method), Max or All features.</param>
    /// <param name="clusters">k; null = the number of distinct anomaly types in each category's test set.</param>
    public IReadOnlyList<CategoryClustering> Run(EvaluationOptions options, PatchSelector selector, int? clusters = null)
    {
        TorchRuntime.EnsureAvailable(options.Device);
        var splits = DetectionEvaluation.LoadSplits(options);
        var patches = BankBound.PatchesPerImage(input.ImageSize, extractor.PatchSize);
        foreach (var split in splits) BankBound.Check(options.Detector, TrainingImages(options, split).Count, patches, options.SettingNames);
        var stream = new FeatureStream(input, extractor, options.BatchSize, options.SkipBadImages);
        return splits.Select(split => Cluster(options, split, selector, clusters, stream)).ToList();
    }

    private static IReadOnlyList<ImageSample> TrainingImages(EvaluationOptions options, CategorySplit split) =>
        options.LowShot is { } shots ? LowShot.Select(split.Train, shots, options.Detector.Seed) : split.Train;

    private CategoryClustering Cluster(EvaluationOptions options, CategorySplit split, PatchSelector selector, int? clusters, FeatureStream stream)
    {
        var train = TrainingImages(options, split);
        UniformalyDetector detector;
        using (var stage = progress.Begin($"{split.Category}: extracting training features", train.Count))
            detector = UniformalyDetector.Fit(options.Detector, stream.Extract(train, stage, RotatedReferences.For(extractor, options.Detector)).Select(b => b.Features), options.Device, selector, progress);
        using (detector)
        {
            var (samples, features, masked) = Describe(split, detector, stream);
            var types = samples.Select(s => s.AnomalyType).Distinct().Order(StringComparer.Ordinal).ToList();
            var truth = samples.Select(s => types.IndexOf(s.AnomalyType)).ToArray();
            var k = clusters ?? types.Count;
            var result = new KMeans(k, restarts: 10, seed: (ulong)options.Detector.Seed).Fit(features);
            var images = samples.Select((s, i) => new ClusteredImage(s, result.Labels[i], features[i])).ToList();
            return new CategoryClustering(split.Category, k, ClusteringMetrics.Nmi(truth, result.Labels),
                ClusteringMetrics.Ari(truth, result.Labels), ClusteringMetrics.HungarianF1(truth, result.Labels), images) { Masking = detector.Masked(masked) };
        }
    }

    /// <summary>The clustering feature [D] of every readable test image, and the test patches with those BPM zeroed.</summary>
    private (List<ImageSample> Samples, double[][] Features, PatchCount Masked) Describe(CategorySplit split, UniformalyDetector detector, FeatureStream stream)
    {
        var masked = new PatchCount();
        var samples = new List<ImageSample>();
        var features = new List<double[]>();
        using var stage = progress.Begin($"{split.Category}: describing test images", split.Test.Count);
        foreach (var (batch, patchFeatures) in stream.Extract(split.Test, stage))
        {
            using var output = detector.Predict(patchFeatures, split.Category);
            masked += output.Masking;
            var dim = (int)output.ClusteringFeatures.Size(1);
            var values = output.ClusteringFeatures.ToArray<float>();
            for (var i = 0; i < batch.Count; i++)
                features.Add(values.AsSpan(i * dim, dim).ToArray().Select(v => (double)v).ToArray());
            samples.AddRange(batch);
        }
        return (samples, [.. features], masked);
    }
}

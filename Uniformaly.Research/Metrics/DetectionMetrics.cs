namespace Uniformaly.Research.Metrics;

/// <summary>The metric set of one evaluation (the Dinomaly paper's seven plus pixel AUROC over
/// anomalous images only). Pixel metrics are NaN when there are no masks.</summary>
public sealed record DetectionMetrics(
    double ImageAuroc, double ImageAp, double ImageF1Max,
    double PixelAuroc, double PixelAurocAnomalous, double Aupro, double PixelAp, double PixelF1Max)
{
    /// <summary>The image score at which <see cref="ImageF1Max"/> is reached (scores at or above it
    /// called anomalous); NaN for a mean over evaluations, where no one threshold applies.</summary>
    public double ImageF1Threshold { get; init; } = double.NaN;

    /// <summary>The pixel score at which <see cref="PixelF1Max"/> is reached; NaN without masks or for a mean.</summary>
    public double PixelF1Threshold { get; init; } = double.NaN;

    /// <summary>Computes every metric.</summary>
    public static DetectionMetrics Compute(IReadOnlyList<byte> labels, IReadOnlyList<float> scores,
        IReadOnlyList<float[]>? maps = null, IReadOnlyList<byte[]>? masks = null, int height = 0, int width = 0) =>
        ComputeWithCurves(labels, scores, maps, masks, height, width).Metrics;

    /// <summary>Every metric and, from the same sorts, the image- and pixel-level ROC and precision-recall curves.</summary>
    /// <param name="labels">0/1 per test image.</param>
    /// <param name="scores">Image scores, same order.</param>
    /// <param name="maps">Anomaly maps (row-major, height*width each) or null for image-only datasets.</param>
    /// <param name="masks">Ground truth per image (all zeros for normal images), with <paramref name="maps"/>.</param>
    /// <param name="height">Map height.</param>
    /// <param name="width">Map width.</param>
    public static (DetectionMetrics Metrics, DetectionCurves Curves) ComputeWithCurves(IReadOnlyList<byte> labels, IReadOnlyList<float> scores,
        IReadOnlyList<float[]>? maps = null, IReadOnlyList<byte[]>? masks = null, int height = 0, int width = 0)
    {
        var l = labels.ToArray();
        var ((auroc, ap, f1), imageCurves) = BinaryMetrics.AllWithCurves(scores.ToArray(), l);
        if (maps is null || masks is null || !masks.Any(m => Array.IndexOf(m, (byte)1) >= 0))
            return (new DetectionMetrics(auroc, ap, f1, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN) { ImageF1Threshold = imageCurves.F1Threshold },
                new DetectionCurves(imageCurves, null));
        // The three pixel-level computations are independent; each is a sort or a pass over every pixel.
        (double Auroc, double Ap, double F1) pixel = default;
        ThresholdCurves pixelCurves = null!;
        double anomalousAuroc = 0, aupro = 0;
        Parallel.Invoke(
            () =>
            {
                var (pixelScores, pixelLabels) = Flatten(maps, masks, _ => true);
                (pixel, pixelCurves) = BinaryMetrics.AllWithCurves(pixelScores, pixelLabels);
            },
            () =>
            {
                var (anomalousScores, anomalousLabels) = Flatten(maps, masks, i => l[i] == 1);
                anomalousAuroc = BinaryMetrics.RocAuc(anomalousScores, anomalousLabels);
            },
            () => aupro = Metrics.Aupro.Compute(maps, masks, height, width));
        return (new DetectionMetrics(auroc, ap, f1, pixel.Auroc, anomalousAuroc, aupro, pixel.Ap, pixel.F1)
            { ImageF1Threshold = imageCurves.F1Threshold, PixelF1Threshold = pixelCurves.F1Threshold }, new DetectionCurves(imageCurves, pixelCurves));
    }

    /// <summary>The mean of each metric over several evaluations (per-category results to an overall row).</summary>
    public static DetectionMetrics Mean(IReadOnlyCollection<DetectionMetrics> all)
    {
        double Avg(Func<DetectionMetrics, double> f) => all.Average(f);
        return new DetectionMetrics(Avg(m => m.ImageAuroc), Avg(m => m.ImageAp), Avg(m => m.ImageF1Max),
            Avg(m => m.PixelAuroc), Avg(m => m.PixelAurocAnomalous), Avg(m => m.Aupro), Avg(m => m.PixelAp), Avg(m => m.PixelF1Max));
    }

    private static (float[] Scores, byte[] Labels) Flatten(IReadOnlyList<float[]> maps, IReadOnlyList<byte[]> masks, Func<int, bool> include)
    {
        var chosen = Enumerable.Range(0, maps.Count).Where(include).ToList();
        var total = chosen.Sum(i => maps[i].Length);
        var (scores, labels) = (new float[total], new byte[total]);
        var offset = 0;
        foreach (var i in chosen)
        {
            maps[i].CopyTo(scores, offset);
            masks[i].CopyTo(labels, offset);
            offset += maps[i].Length;
        }
        return (scores, labels);
    }
}

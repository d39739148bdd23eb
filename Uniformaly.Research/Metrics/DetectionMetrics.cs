namespace Uniformaly.Research.Metrics;

/// <summary>The metric set of one evaluation (the Dinomaly paper's seven plus pixel AUROC over
/// anomalous images only). A metric that cannot be computed (pixel metrics without masks, every
/// threshold metric of a test set with only normal images) is NaN, and <see cref="Undefined"/> says why.</summary>
public sealed record DetectionMetrics(
    double ImageAuroc, double ImageAp, double ImageF1Max,
    double PixelAuroc, double PixelAurocAnomalous, double Aupro, double PixelAp, double PixelF1Max)
{
    /// <summary>The image score at which <see cref="ImageF1Max"/> is reached (scores at or above it
    /// called anomalous); NaN for a mean over evaluations, where no one threshold applies.</summary>
    public double ImageF1Threshold { get; init; } = double.NaN;

    /// <summary>The pixel score at which <see cref="PixelF1Max"/> is reached; NaN without masks or for a mean.</summary>
    public double PixelF1Threshold { get; init; } = double.NaN;

    /// <summary>The metrics' names, in the order of the record's values (the keys of metrics.json).</summary>
    public static readonly IReadOnlyList<string> Names =
        ["image_auroc", "pixel_auroc", "pixel_auroc_anomalous", "aupro", "image_ap", "image_f1max", "pixel_ap", "pixel_f1max"];

    private static readonly string[] ImageNames = ["image_auroc", "image_ap", "image_f1max"];
    // In the order of the record's pixel values.
    private static readonly string[] PixelNames = ["pixel_auroc", "pixel_auroc_anomalous", "aupro", "pixel_ap", "pixel_f1max"];

    /// <summary>How tables and figures name a metric: "image AUROC", "AUPRO", "pixel AUROC (anomalous images)".</summary>
    public static string Title(string name) => name switch
    {
        "pixel_auroc_anomalous" => "pixel AUROC (anomalous images)",
        "aupro" => "AUPRO",
        _ => string.Join(' ', name.Split('_').Select(w => w switch { "f1max" => "F1-max", "image" or "pixel" => w, _ => w.ToUpperInvariant() })),
    };

    /// <summary>Why each NaN metric is undefined, by name (<see cref="Names"/>); empty when all are defined.</summary>
    public IReadOnlyDictionary<string, string> Undefined { get; init; } = new Dictionary<string, string>();

    /// <summary>The values in the order of <see cref="Names"/>.</summary>
    public IReadOnlyList<double> Values => [ImageAuroc, PixelAuroc, PixelAurocAnomalous, Aupro, ImageAp, ImageF1Max, PixelAp, PixelF1Max];

    /// <summary>Computes every metric.</summary>
    public static DetectionMetrics Compute(IReadOnlyList<byte> labels, IReadOnlyList<float> scores,
        IReadOnlyList<float[]>? maps = null, IReadOnlyList<byte[]?>? masks = null, int height = 0, int width = 0) =>
        ComputeWithCurves(labels, scores, maps, masks, height, width).Metrics;

    /// <summary>Every metric and, from the same sorts, the image- and pixel-level ROC and precision-recall
    /// curves (each null where its metrics are undefined).</summary>
    /// <param name="labels">0/1 per test image.</param>
    /// <param name="scores">Image scores, same order.</param>
    /// <param name="maps">Anomaly maps (row-major, height*width each) or null for image-only datasets.</param>
    /// <param name="masks">Ground truth per image (all zeros for normal images), with <paramref name="maps"/>; null
    /// for a defect image without a mask, which pixel metrics then leave out.</param>
    /// <param name="height">Map height.</param>
    /// <param name="width">Map width.</param>
    public static (DetectionMetrics Metrics, DetectionCurves? Curves) ComputeWithCurves(IReadOnlyList<byte> labels, IReadOnlyList<float> scores,
        IReadOnlyList<float[]>? maps = null, IReadOnlyList<byte[]?>? masks = null, int height = 0, int width = 0)
    {
        var undefined = new Dictionary<string, string>();
        var l = labels.ToArray();
        var (defects, normal) = (l.Count(x => x == 1), l.Count(x => x == 0));
        (double Auroc, double Ap, double F1) image = (double.NaN, double.NaN, double.NaN);
        ThresholdCurves? imageCurves = null;
        if (defects > 0 && normal > 0) (image, imageCurves) = BinaryMetrics.AllWithCurves(scores.ToArray(), l);
        else Explain(undefined, ImageNames, $"the test set has no {(defects == 0 ? "defect" : "normal")} images, and these metrics need both normal and defect images");
        var (pixelMetrics, pixelCurves) = (new double[5].Select(_ => double.NaN).ToArray(), (ThresholdCurves?)null);
        if ((defects == 0 ? undefined[ImageNames[0]] : PixelsUndefined(maps, masks)) is { } reason) Explain(undefined, PixelNames, reason);
        else (pixelMetrics, pixelCurves) = Pixel(l, maps!, masks!, height, width);
        var metrics = new DetectionMetrics(image.Auroc, image.Ap, image.F1, pixelMetrics[0], pixelMetrics[1], pixelMetrics[2], pixelMetrics[3], pixelMetrics[4])
        {
            Undefined = undefined,
            ImageF1Threshold = imageCurves?.F1Threshold ?? double.NaN,
            PixelF1Threshold = pixelCurves?.F1Threshold ?? double.NaN,
        };
        return (metrics, imageCurves is null && pixelCurves is null ? null : new DetectionCurves(imageCurves, pixelCurves));
    }

    /// <summary>Why the pixel metrics cannot be computed, or null when they can.</summary>
    private static string? PixelsUndefined(IReadOnlyList<float[]>? maps, IReadOnlyList<byte[]?>? masks) =>
        maps is null || masks is null || masks.All(m => m is null) ? "no ground-truth masks"
        : !masks.Any(m => m is not null && Array.IndexOf(m, (byte)1) >= 0) ? "no defect pixels in the ground truth (no defect image with a mask)"
        : !masks.Any(m => m is not null && Array.IndexOf(m, (byte)0) >= 0) ? "no normal pixels in the ground truth"
        : null;

    /// <summary>Pixel AUROC, anomalous-image pixel AUROC, AUPRO, pixel AP and F1-max over the images with a mask.</summary>
    private static (double[] Values, ThresholdCurves Curves) Pixel(byte[] labels, IReadOnlyList<float[]> allMaps, IReadOnlyList<byte[]?> allMasks,
        int height, int width)
    {
        var withMask = Enumerable.Range(0, allMasks.Count).Where(i => allMasks[i] is not null).ToList();
        var (maps, masks, l) = (withMask.Select(i => allMaps[i]).ToList(), withMask.Select(i => allMasks[i]!).ToList(), withMask.Select(i => labels[i]).ToArray());
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
        return ([pixel.Auroc, anomalousAuroc, aupro, pixel.Ap, pixel.F1], pixelCurves);
    }

    private static void Explain(Dictionary<string, string> undefined, IEnumerable<string> names, string reason)
    {
        foreach (var name in names) undefined[name] = reason;
    }

    /// <summary>The mean of each metric over several evaluations (per-category results to an overall row);
    /// undefined where any of them is, naming which.</summary>
    public static DetectionMetrics Mean(IReadOnlyList<(string Name, DetectionMetrics Metrics)> all)
    {
        double Avg(Func<DetectionMetrics, double> f) => all.Average(x => f(x.Metrics));
        var undefined = new Dictionary<string, string>();
        foreach (var name in Names)
        {
            var where = all.Where(x => x.Metrics.Undefined.ContainsKey(name)).Select(x => x.Name).ToList();
            if (where.Count > 0) undefined[name] = $"undefined for {string.Join(", ", where)}";
        }
        return new DetectionMetrics(Avg(m => m.ImageAuroc), Avg(m => m.ImageAp), Avg(m => m.ImageF1Max),
            Avg(m => m.PixelAuroc), Avg(m => m.PixelAurocAnomalous), Avg(m => m.Aupro), Avg(m => m.PixelAp), Avg(m => m.PixelF1Max)) { Undefined = undefined };
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

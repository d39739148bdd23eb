namespace Uniformaly.Research.Metrics;

/// <summary>
/// Threshold-free detection metrics on scores (higher = more anomalous) and 0/1 labels, as
/// sklearn computes them (ties grouped at one threshold): image level on hundreds of values,
/// pixel level on tens of millions (O(n log n), one sort, no per-element objects).
/// </summary>
public static class BinaryMetrics
{
    /// <summary>Area under the ROC curve (sklearn.metrics.roc_auc_score).</summary>
    public static double RocAuc(ReadOnlySpan<float> scores, ReadOnlySpan<byte> labels) => All(scores, labels).RocAuc;

    /// <summary>Average precision, sum over thresholds of (R_n - R_{n-1}) P_n (sklearn.metrics.average_precision_score).</summary>
    public static double AveragePrecision(ReadOnlySpan<float> scores, ReadOnlySpan<byte> labels) => All(scores, labels).AveragePrecision;

    /// <summary>The best F1 = 2PR/(P+R) over all thresholds (the Dinomaly codebase's F1-max).</summary>
    public static double F1Max(ReadOnlySpan<float> scores, ReadOnlySpan<byte> labels) => All(scores, labels).F1Max;

    /// <summary>All three from one sort and one walk over the thresholds: pixel-level metrics on
    /// millions of values cost a third of computing them one by one.</summary>
    public static (double RocAuc, double AveragePrecision, double F1Max) All(ReadOnlySpan<float> scores, ReadOnlySpan<byte> labels) =>
        Walk(new RankedScores(scores, labels), curves: null);

    /// <summary><see cref="All"/> and the ROC and precision-recall curves, from the same sort and walk.</summary>
    public static ((double RocAuc, double AveragePrecision, double F1Max) Metrics, ThresholdCurves Curves) AllWithCurves(
        ReadOnlySpan<float> scores, ReadOnlySpan<byte> labels)
    {
        var curves = new ThresholdCurves.Builder();
        var metrics = Walk(new RankedScores(scores, labels), curves);
        return (metrics, curves.Build(metrics.RocAuc, metrics.AveragePrecision));
    }

    private static (double RocAuc, double AveragePrecision, double F1Max) Walk(RankedScores ranked, ThresholdCurves.Builder? curves)
    {
        var (positives, negatives) = ((double)ranked.Positives, (double)ranked.Negatives);
        double area = 0, ap = 0, f1 = 0;
        long previousTp = 0, previousFp = 0;
        foreach (var (tp, fp) in ranked.Steps())
        {
            // ROC: trapezoid between consecutive points, in counts (normalized at the end).
            area += (fp - previousFp) * (tp + previousTp) / 2.0;
            var (precision, recall) = (tp / (double)(tp + fp), tp / positives);
            ap += (tp - previousTp) / positives * precision;
            if (precision + recall > 0) f1 = Math.Max(f1, 2 * precision * recall / (precision + recall));
            curves?.Add(fp / negatives, recall, precision);
            (previousTp, previousFp) = (tp, fp);
        }
        return (area / (positives * negatives), ap, f1);
    }
}

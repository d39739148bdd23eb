namespace Uniformaly.Research.Metrics;

/// <summary>
/// Threshold-free detection metrics on scores (higher = more anomalous) and 0/1 labels, as
/// sklearn computes them (ties grouped at one threshold): image level on hundreds of values,
/// pixel level on tens of millions (O(n log n), one sort, no per-element objects).
/// </summary>
public static class BinaryMetrics
{
    /// <summary>Area under the ROC curve (sklearn.metrics.roc_auc_score).</summary>
    public static double RocAuc(ReadOnlySpan<float> scores, ReadOnlySpan<byte> labels)
    {
        var ranked = new RankedScores(scores, labels);
        double area = 0;
        long previousTp = 0, previousFp = 0;
        foreach (var (tp, fp) in ranked.Steps())
        {
            // Trapezoid between consecutive ROC points, in counts (normalized at the end).
            area += (fp - previousFp) * (tp + previousTp) / 2.0;
            (previousTp, previousFp) = (tp, fp);
        }
        return area / ((double)ranked.Positives * ranked.Negatives);
    }

    /// <summary>Average precision, sum over thresholds of (R_n - R_{n-1}) P_n (sklearn.metrics.average_precision_score).</summary>
    public static double AveragePrecision(ReadOnlySpan<float> scores, ReadOnlySpan<byte> labels)
    {
        var ranked = new RankedScores(scores, labels);
        double ap = 0;
        long previousTp = 0;
        foreach (var (tp, fp) in ranked.Steps())
        {
            ap += (tp - previousTp) / (double)ranked.Positives * (tp / (double)(tp + fp));
            previousTp = tp;
        }
        return ap;
    }

    /// <summary>The best F1 = 2PR/(P+R) over all thresholds (the Dinomaly codebase's F1-max).</summary>
    public static double F1Max(ReadOnlySpan<float> scores, ReadOnlySpan<byte> labels)
    {
        var ranked = new RankedScores(scores, labels);
        double best = 0;
        foreach (var (tp, fp) in ranked.Steps())
        {
            var precision = tp / (double)(tp + fp);
            var recall = tp / (double)ranked.Positives;
            if (precision + recall > 0) best = Math.Max(best, 2 * precision * recall / (precision + recall));
        }
        return best;
    }
}

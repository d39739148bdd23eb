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

    /// <summary>The best F1 and the lowest score t at which it is reached when every score &gt;= t is called
    /// anomalous (the threshold of sklearn's precision_recall_curve, as anomalib's F1AdaptiveThreshold takes
    /// it): labelling the same scores with t gives exactly that F1.</summary>
    public static (double F1, float Threshold) F1Optimal(ReadOnlySpan<float> scores, ReadOnlySpan<byte> labels)
    {
        var walk = Walk(new RankedScores(scores, labels), curves: null);
        return (walk.F1Max, walk.F1Threshold);
    }

    /// <summary>All three from one sort and one walk over the thresholds: pixel-level metrics on
    /// millions of values cost a third of computing them one by one.</summary>
    public static (double RocAuc, double AveragePrecision, double F1Max) All(ReadOnlySpan<float> scores, ReadOnlySpan<byte> labels)
    {
        var walk = Walk(new RankedScores(scores, labels), curves: null);
        return (walk.RocAuc, walk.AveragePrecision, walk.F1Max);
    }

    /// <summary><see cref="All"/> and the ROC and precision-recall curves, from the same sort and walk.</summary>
    public static ((double RocAuc, double AveragePrecision, double F1Max) Metrics, ThresholdCurves Curves) AllWithCurves(
        ReadOnlySpan<float> scores, ReadOnlySpan<byte> labels)
    {
        var curves = new ThresholdCurves.Builder();
        var walk = Walk(new RankedScores(scores, labels), curves);
        return ((walk.RocAuc, walk.AveragePrecision, walk.F1Max), curves.Build(walk.RocAuc, walk.AveragePrecision) with { F1Threshold = walk.F1Threshold });
    }

    /// <summary>One walk over the thresholds, highest first. Of thresholds with equal best F1 the
    /// lowest is kept, as sklearn's argmax over its ascending thresholds picks it.</summary>
    private static (double RocAuc, double AveragePrecision, double F1Max, float F1Threshold) Walk(RankedScores ranked, ThresholdCurves.Builder? curves)
    {
        var (positives, negatives) = ((double)ranked.Positives, (double)ranked.Negatives);
        double area = 0, ap = 0, f1 = 0;
        var f1Threshold = float.PositiveInfinity;
        long previousTp = 0, previousFp = 0;
        foreach (var (tp, fp, threshold) in ranked.Steps())
        {
            // ROC: trapezoid between consecutive points, in counts (normalized at the end).
            area += (fp - previousFp) * (tp + previousTp) / 2.0;
            var (precision, recall) = (tp / (double)(tp + fp), tp / positives);
            ap += (tp - previousTp) / positives * precision;
            if (F1(tp, fp, ranked.Positives) is var stepF1 && stepF1 >= f1) (f1, f1Threshold) = (stepF1, threshold);
            curves?.Add(fp / negatives, recall, precision);
            (previousTp, previousFp) = (tp, fp);
        }
        return (area / (positives * negatives), ap, f1, f1Threshold);
    }

    /// <summary>2PR/(P+R) = 2 TP / (TP + FP + positives); 0 before the first true positive.</summary>
    private static double F1(long tp, long fp, long positives)
    {
        var (precision, recall) = (tp / (double)(tp + fp), tp / (double)positives);
        return precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
    }
}

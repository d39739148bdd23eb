namespace Uniformaly.Research.Metrics;

/// <summary>
/// Scores sorted by class, walked threshold by threshold: for each distinct score, how many
/// positives and negatives score at least that much. Every threshold metric (ROC,
/// precision-recall) is a fold over these steps, as in sklearn's _binary_clf_curve.
/// </summary>
/// <remarks>
/// Positives and negatives are sorted separately (two float sorts, run in parallel) rather than
/// one key/label sort: no label array travels with the keys, which halves the data moved and
/// sorts plain floats (a radix sort, <see cref="FloatRadixSort"/>); the two sorted runs are merged on the fly.
/// Memory: one float per input score.
/// </remarks>
internal sealed class RankedScores
{
    private readonly float[] _positives;
    private readonly float[] _negatives;

    public RankedScores(ReadOnlySpan<float> scores, ReadOnlySpan<byte> labels)
    {
        if (scores.Length != labels.Length)
            throw new ArgumentException($"{scores.Length} scores but {labels.Length} labels");
        long positives = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] > 1) throw new ArgumentException($"labels must be 0 or 1, found {labels[i]} at index {i}", nameof(labels));
            if (!float.IsFinite(scores[i])) throw new ArgumentException($"scores contain NaN or infinity ({scores[i]} at index {i}), as sklearn refuses", nameof(scores));
            positives += labels[i];
        }
        var negatives = labels.Length - positives;
        if (positives == 0 || negatives == 0)
            throw new ArgumentException($"only one class present ({positives} positives, {negatives} negatives): the metric is undefined");
        (_positives, _negatives) = (new float[positives], new float[negatives]);
        var (p, n) = (0, 0);
        for (var i = 0; i < labels.Length; i++)
            if (labels[i] == 1) _positives[p++] = scores[i];
            else _negatives[n++] = scores[i];
        Parallel.Invoke(() => FloatRadixSort.Sort(_positives), () => FloatRadixSort.Sort(_negatives));
    }

    public long Positives => _positives.LongLength;

    public long Negatives => _negatives.LongLength;

    /// <summary>(true positives, false positives) at or above each distinct score, highest first, with that score.</summary>
    public IEnumerable<(long Tp, long Fp, float Threshold)> Steps()
    {
        var (p, n) = (_positives.Length - 1, _negatives.Length - 1);
        long tp = 0, fp = 0;
        while (p >= 0 || n >= 0)
        {
            var threshold = Math.Max(p >= 0 ? _positives[p] : float.NegativeInfinity, n >= 0 ? _negatives[n] : float.NegativeInfinity);
            while (p >= 0 && _positives[p] == threshold) { p--; tp++; }
            while (n >= 0 && _negatives[n] == threshold) { n--; fp++; }
            yield return (tp, fp, threshold);
        }
    }
}

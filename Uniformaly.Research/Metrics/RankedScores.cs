namespace Uniformaly.Research.Metrics;

/// <summary>
/// Scores sorted with their labels, walked threshold by threshold: for each
/// distinct score, how many positives and negatives score at least that much. Every threshold
/// metric (ROC, precision-recall) is a fold over these steps, as in sklearn's _binary_clf_curve.
/// </summary>
internal sealed class RankedScores
{
    private readonly float[] _scores;
    private readonly byte[] _labels;

    public RankedScores(ReadOnlySpan<float> scores, ReadOnlySpan<byte> labels)
    {
        if (scores.Length != labels.Length)
            throw new ArgumentException($"{scores.Length} scores but {labels.Length} labels");
        _scores = scores.ToArray();
        _labels = labels.ToArray();
        foreach (var s in _scores)
            if (float.IsNaN(s)) throw new ArgumentException("scores contain NaN");
        foreach (var l in _labels)
        {
            if (l > 1) throw new ArgumentException($"labels must be 0 or 1, found {l}");
            Positives += l;
        }
        Negatives = _labels.Length - Positives;
        if (Positives == 0 || Negatives == 0)
            throw new ArgumentException($"only one class present ({Positives} positives, {Negatives} negatives): the metric is undefined");
        // Ascending with the default comparer (the runtime's fast path for primitive keys; the
        // labels travel with their scores); the steps walk it from the top.
        Array.Sort(_scores, _labels);
    }

    public long Positives { get; }

    public long Negatives { get; }

    /// <summary>(true positives, false positives) at or above each distinct score, highest first.</summary>
    public IEnumerable<(long Tp, long Fp)> Steps()
    {
        long tp = 0, fp = 0;
        for (var i = _scores.Length - 1; i >= 0; i--)
        {
            tp += _labels[i];
            fp += 1 - _labels[i];
            if (i == 0 || _scores[i - 1] != _scores[i]) yield return (tp, fp);
        }
    }
}

namespace Uniformaly.Research.Decisions;

/// <summary>
/// The threshold that keeps the false-alarm rate on normal images at most a chosen rate, from the
/// scores of n normal images the detector did not see when they were scored (docs/method.md
/// section 20): the k-th smallest with k = ceil((n + 1)(1 - rate)), split-conformal prediction's
/// quantile. A new normal image exchangeable with those n scores above it with probability at most
/// the rate (and at least rate - 1/(n + 1)).
/// </summary>
public static class ConformalThreshold
{
    /// <summary>The threshold (an image is called anomalous when its score is at or above it; scores are
    /// continuous, so ties have probability 0), or null when
    /// <paramref name="rate"/> is below 1/(n + 1): n normal scores cannot promise so small a rate.</summary>
    /// <param name="sortedScores">The normal scores, ascending.</param>
    /// <param name="rate">The false-alarm rate promised, in (0, 1).</param>
    public static float? At(IReadOnlyList<float> sortedScores, double rate)
    {
        var k = Rank(sortedScores.Count, rate);
        return k <= sortedScores.Count ? sortedScores[k - 1] : null;
    }

    /// <summary>k = ceil((n + 1)(1 - rate)), in decimal so that a rate such as 0.01 is exact (in binary,
    /// 100 x 0.99 is a hair above 99 and would round up to 100).</summary>
    public static int Rank(int n, double rate) => Math.Max(1, (int)Math.Ceiling((n + 1) * (1 - (decimal)rate)));

    /// <summary>How many normal scores can promise <paramref name="rate"/>: n &gt;= (1 - rate) / rate.</summary>
    public static int ImagesFor(double rate) => (int)Math.Ceiling((1 - (decimal)rate) / (decimal)rate);

    /// <summary>The smallest rate <paramref name="n"/> normal scores can promise: 1/(n + 1).</summary>
    public static double SmallestRate(int n) => 1.0 / (n + 1);
}

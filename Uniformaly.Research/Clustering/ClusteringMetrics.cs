namespace Uniformaly.Research.Clustering;

/// <summary>Agreement between a clustering and the true anomaly types (docs/method.md section 10), as sklearn computes it.</summary>
public static class ClusteringMetrics
{
    /// <summary>Normalized mutual information with the arithmetic mean of the entropies
    /// (sklearn.metrics.normalized_mutual_info_score's default).</summary>
    public static double Nmi(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        var table = Contingency.Of(truth, predicted);
        if (table.Rows == 1 && table.Columns == 1) return 1.0; // both labelings are one cluster: identical
        var n = (double)table.Total;
        double mi = 0;
        for (var r = 0; r < table.Rows; r++)
        for (var c = 0; c < table.Columns; c++)
        {
            var nij = table.Counts[r, c];
            if (nij > 0) mi += nij / n * Math.Log(n * nij / ((double)table.RowSums[r] * table.ColumnSums[c]));
        }
        mi = Math.Max(mi, 0);
        var (hTruth, hPredicted) = (Entropy(table.RowSums, n), Entropy(table.ColumnSums, n));
        var normalizer = (hTruth + hPredicted) / 2;
        return normalizer <= 0 ? 0 : mi / Math.Max(normalizer, double.Epsilon);
    }

    /// <summary>Adjusted Rand index (sklearn.metrics.adjusted_rand_score, via the pair confusion matrix).</summary>
    public static double Ari(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        var table = Contingency.Of(truth, predicted);
        var n = (double)table.Total;
        double sumSquares = 0;
        foreach (var nij in table.Counts) sumSquares += (double)nij * nij;
        var rowSquares = table.RowSums.Sum(a => (double)a * a);
        var columnSquares = table.ColumnSums.Sum(b => (double)b * b);
        var tp = sumSquares - n;
        var fp = columnSquares - sumSquares;
        var fn = rowSquares - sumSquares;
        var tn = n * n - fp - fn - sumSquares;
        if (fn == 0 && fp == 0) return 1.0;
        return 2 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
    }

    /// <summary>Micro F1 after the Hungarian matching of clusters to types: each cluster takes the
    /// type it shares most images with under a one-to-one assignment; an unmatched cluster's
    /// images count as wrong. For single-label data this equals the matched accuracy.</summary>
    public static double HungarianF1(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
    {
        var table = Contingency.Of(truth, predicted);
        var cost = new double[table.Columns, table.Rows];
        for (var r = 0; r < table.Rows; r++)
        for (var c = 0; c < table.Columns; c++)
            cost[c, r] = -table.Counts[r, c];
        var assignment = Hungarian.Solve(cost);
        long matched = 0;
        for (var c = 0; c < assignment.Length; c++)
            if (assignment[c] >= 0) matched += table.Counts[assignment[c], c];
        return matched / (double)table.Total;
    }

    private static double Entropy(long[] sums, double n) =>
        -sums.Where(s => s > 0).Sum(s => s / n * Math.Log(s / n));

    /// <summary>Counts of (true label, cluster) pairs over dense label indices.</summary>
    private sealed record Contingency(long[,] Counts, long[] RowSums, long[] ColumnSums, long Total)
    {
        public int Rows => RowSums.Length;

        public int Columns => ColumnSums.Length;

        public static Contingency Of(IReadOnlyList<int> truth, IReadOnlyList<int> predicted)
        {
            if (truth.Count != predicted.Count) throw new ArgumentException($"{truth.Count} true labels but {predicted.Count} predictions");
            if (truth.Count == 0) throw new ArgumentException("no labels");
            var rows = Dense(truth);
            var cols = Dense(predicted);
            var counts = new long[rows.Count, cols.Count];
            var (rowSums, colSums) = (new long[rows.Count], new long[cols.Count]);
            for (var i = 0; i < truth.Count; i++)
            {
                var (r, c) = (rows[truth[i]], cols[predicted[i]]);
                counts[r, c]++;
                rowSums[r]++;
                colSums[c]++;
            }
            return new Contingency(counts, rowSums, colSums, truth.Count);
        }

        private static Dictionary<int, int> Dense(IReadOnlyList<int> labels) =>
            labels.Distinct().Order().Select((label, index) => (label, index)).ToDictionary(p => p.label, p => p.index);
    }
}

namespace Uniformaly.Research.Clustering;

/// <summary>
/// Optimal assignment (Kuhn-Munkres with potentials, O(n^2 m)): for a cost matrix of n rows and m
/// columns, n &lt;= m after transposition, the row-to-column matching of least total cost, as
/// scipy.optimize.linear_sum_assignment finds it.
/// </summary>
public static class Hungarian
{
    /// <summary>For each row, its column (or -1 when there are more rows than columns).</summary>
    public static int[] Solve(double[,] cost)
    {
        var (rows, cols) = (cost.GetLength(0), cost.GetLength(1));
        if (rows <= cols) return SolveWide(cost, rows, cols);
        var transposed = new double[cols, rows];
        for (var r = 0; r < rows; r++)
        for (var c = 0; c < cols; c++)
            transposed[c, r] = cost[r, c];
        var columnToRow = SolveWide(transposed, cols, rows);
        var result = Enumerable.Repeat(-1, rows).ToArray();
        for (var c = 0; c < cols; c++) result[columnToRow[c]] = c;
        return result;
    }

    /// <summary>The classic shortest-augmenting-path formulation, 1-based internally.</summary>
    private static int[] SolveWide(double[,] a, int n, int m)
    {
        var u = new double[n + 1];
        var v = new double[m + 1];
        var p = new int[m + 1];   // p[j]: row matched to column j
        var way = new int[m + 1];
        for (var i = 1; i <= n; i++)
        {
            p[0] = i;
            var j0 = 0;
            var minv = Enumerable.Repeat(double.PositiveInfinity, m + 1).ToArray();
            var used = new bool[m + 1];
            do
            {
                used[j0] = true;
                var (i0, delta, j1) = (p[j0], double.PositiveInfinity, 0);
                for (var j = 1; j <= m; j++)
                {
                    if (used[j]) continue;
                    var cur = a[i0 - 1, j - 1] - u[i0] - v[j];
                    if (cur < minv[j]) (minv[j], way[j]) = (cur, j0);
                    if (minv[j] < delta) (delta, j1) = (minv[j], j);
                }
                for (var j = 0; j <= m; j++)
                {
                    if (used[j]) { u[p[j]] += delta; v[j] -= delta; }
                    else minv[j] -= delta;
                }
                j0 = j1;
            } while (p[j0] != 0);
            do
            {
                var j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        var assignment = new int[n];
        for (var j = 1; j <= m; j++)
            if (p[j] != 0) assignment[p[j] - 1] = j - 1;
        return assignment;
    }
}

namespace Uniformaly.Research.Visualization;

/// <summary>
/// Projection of points onto their first two principal components, for drawing. Works on the
/// n x n Gram matrix of the centred points (few images, wide features), with power iteration and
/// deflation; each axis is signed so that its largest-magnitude coordinate is positive, so the
/// same data always gives the same picture.
/// </summary>
public static class Pca
{
    public static (double X, double Y)[] Project2D(IReadOnlyList<double[]> points)
    {
        var n = points.Count;
        if (n == 0) return [];
        var centred = Centre(points);
        var gram = new double[n, n];
        for (var i = 0; i < n; i++)
        for (var j = i; j < n; j++)
            gram[i, j] = gram[j, i] = Dot(centred[i], centred[j]);
        var first = Component(gram, n);
        Deflate(gram, first, n);
        var second = Component(gram, n);
        return Enumerable.Range(0, n).Select(i => (first[i], second[i])).ToArray();
    }

    private static double[][] Centre(IReadOnlyList<double[]> points)
    {
        var dim = points[0].Length;
        var mean = new double[dim];
        foreach (var p in points)
            for (var d = 0; d < dim; d++) mean[d] += p[d] / points.Count;
        return points.Select(p => p.Select((v, d) => v - mean[d]).ToArray()).ToArray();
    }

    /// <summary>The leading eigenvector of the Gram matrix scaled by sqrt(eigenvalue): the points'
    /// coordinates along that principal axis.</summary>
    private static double[] Component(double[,] gram, int n)
    {
        var v = Enumerable.Range(0, n).Select(i => 1.0 + i % 7 * 0.1).ToArray();
        var eigenvalue = 0.0;
        for (var iteration = 0; iteration < 500; iteration++)
        {
            var next = new double[n];
            for (var i = 0; i < n; i++)
                for (var j = 0; j < n; j++) next[i] += gram[i, j] * v[j];
            var norm = Math.Sqrt(next.Sum(x => x * x));
            if (norm == 0) return new double[n];
            var converged = next.Select((x, i) => Math.Abs(x / norm - v[i])).Max() < 1e-12;
            (v, eigenvalue) = (next.Select(x => x / norm).ToArray(), norm);
            if (converged) break;
        }
        var sign = v.MaxBy(Math.Abs) < 0 ? -1 : 1;
        return v.Select(x => sign * x * Math.Sqrt(eigenvalue)).ToArray();
    }

    private static void Deflate(double[,] gram, double[] component, int n)
    {
        var eigenvalue = component.Sum(x => x * x);
        if (eigenvalue == 0) return;
        for (var i = 0; i < n; i++)
        for (var j = 0; j < n; j++)
            gram[i, j] -= component[i] * component[j];
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}

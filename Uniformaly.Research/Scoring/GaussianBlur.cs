using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Scoring;

/// <summary>
/// scipy.ndimage.gaussian_filter on the last two dimensions, as separable 1-D convolutions:
/// kernel exp(−x²/2σ²) normalized to sum 1 over x = −r..r with r = int(truncate·σ + 0.5),
/// boundary mode 'reflect' (d c b a | a b c d | d c b a, the edge sample repeated), extended
/// periodically with period 2n when the radius exceeds the size n, as scipy does. Rows (the
/// first axis) are filtered before columns, as scipy orders its passes.
/// </summary>
public static class GaussianBlur
{
    /// <summary>r = int(truncate·σ + 0.5) (16 for σ = 4, truncate 4).</summary>
    public static int Radius(double sigma, double truncate = 4.0) => (int)(truncate * sigma + 0.5);

    /// <summary>The normalized 1-D kernel, 2r + 1 weights, computed in double like scipy.</summary>
    public static double[] Kernel(double sigma, double truncate = 4.0)
    {
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be positive");
        var radius = Radius(sigma, truncate);
        var weights = new double[2 * radius + 1];
        for (var i = 0; i < weights.Length; i++)
        {
            double x = i - radius;
            weights[i] = Math.Exp(-0.5 / (sigma * sigma) * x * x);
        }
        var sum = weights.Sum();
        return Array.ConvertAll(weights, w => w / sum);
    }

    /// <summary>For each of the n + 2r padded positions, the source index under scipy's 'reflect'
    /// extension (symmetric, period 2n).</summary>
    public static long[] ReflectIndices(long size, long radius)
    {
        var indices = new long[size + 2 * radius];
        for (long i = 0; i < indices.Length; i++)
        {
            var j = ((i - radius) % (2 * size) + 2 * size) % (2 * size);
            indices[i] = j < size ? j : 2 * size - 1 - j;
        }
        return indices;
    }

    /// <summary>Blurs <paramref name="maps"/> [B, H, W] (float32) and returns [B, H, W].</summary>
    public static Tensor Apply(Tensor maps, double sigma, double truncate = 4.0)
    {
        if (maps.Dim != 3) throw new ArgumentException($"maps must be [B, H, W], got {maps}", nameof(maps));
        using var scope = new DisposeScope();
        var kernel = Array.ConvertAll(Kernel(sigma, truncate), w => (float)w);
        var radius = Radius(sigma, truncate);
        var x = maps.To(DType.Float32).Unsqueeze(1);
        x = Pass(x, kernel, radius, dim: 2);
        x = Pass(x, kernel, radius, dim: 3);
        return scope.MoveToOuter(x.Squeeze(1));
    }

    /// <summary>Pads dimension <paramref name="dim"/> of x [B, 1, H, W] by reflection and correlates
    /// it with the kernel.</summary>
    private static Tensor Pass(Tensor x, float[] kernel, int radius, int dim)
    {
        var padded = x.IndexSelect(dim, Tensor.FromArray(ReflectIndices(x.Size(dim), radius)).To(x.Device));
        var shape = dim == 2 ? new long[] { 1, 1, kernel.Length, 1 } : [1, 1, 1, kernel.Length];
        return Functional.Conv2d(padded, Tensor.FromArray(kernel, shape).To(x.Device));
    }
}

namespace Uniformaly.Research.Metrics;

/// <summary>
/// Normalized area under the per-region-overlap curve up to a false-positive rate of 0.3, as the
/// Dinomaly codebase computes it: thresholds from the maps' minimum upwards in (max - min)/steps
/// increments; at each, PRO = mean over every ground-truth region (8-connected) of the fraction
/// of its pixels above the threshold, FPR = normal pixels above it / normal pixels; points with
/// FPR &lt; maxFpr are kept, FPR is rescaled by its largest kept value, and the area is the trapezoid rule.
/// </summary>
public static class Aupro
{
    /// <param name="maps">Anomaly maps, one row-major [height*width] array per image.</param>
    /// <param name="masks">Ground truth of the same shape, 0 normal / non-zero anomalous.</param>
    /// <param name="height">Map height in pixels.</param>
    /// <param name="width">Map width in pixels.</param>
    /// <param name="maxFpr">Integration limit of the false-positive rate.</param>
    /// <param name="steps">Number of threshold steps between the maps' minimum and maximum.</param>
    public static double Compute(IReadOnlyList<float[]> maps, IReadOnlyList<byte[]> masks, int height, int width,
        double maxFpr = 0.3, int steps = 200)
    {
        if (maps.Count != masks.Count || maps.Count == 0) throw new ArgumentException($"{maps.Count} maps for {masks.Count} masks");
        for (var i = 0; i < maps.Count; i++)
            if (maps[i].Length != height * width) throw new ArgumentException($"map {i} has {maps[i].Length} pixels, expected {height}x{width}", nameof(maps));
        var regions = masks.Select(m => ConnectedComponents.Label(m, height, width)).ToList();
        if (regions.All(r => r.Count == 0)) throw new ArgumentException("AUPRO needs at least one anomalous region in the masks");
        var normalPixels = masks.Sum(m => m.LongLength - m.Count(v => v != 0));
        var (min, max) = Range(maps);
        var thresholds = Thresholds(min, max, steps).ToArray();
        // One pass per image bins every pixel by how many thresholds it exceeds; suffix sums then
        // give each threshold's counts exactly (integers), instead of one pass per threshold.
        var perImage = Enumerable.Range(0, maps.Count).AsParallel().AsOrdered()
            .Select(i => Histogram(maps[i], masks[i], regions[i], thresholds)).ToList();
        var points = new List<(double Fpr, double Pro)>(thresholds.Length);
        for (var t = 0; t < thresholds.Length; t++)
        {
            double overlapSum = 0;
            var (regionCount, falsePositives) = (0, 0L);
            foreach (var (normalAbove, regionAbove, regionSizes) in perImage)
            {
                falsePositives += normalAbove[t];
                for (var r = 1; r < regionSizes.Length; r++) overlapSum += regionAbove[r][t] / (double)regionSizes[r];
                regionCount += regionSizes.Length - 1;
            }
            points.Add((falsePositives / (double)normalPixels, overlapSum / regionCount));
        }
        return Area(points.Where(p => p.Fpr < maxFpr).ToList());
    }

    /// <summary>
    /// np.arange(min, max, (max - min) / steps) on float32 maps, value for value: the step is a
    /// float32, the length ceil((max - min) / step), and numpy fills float32 arrays as
    /// start + i * (second - start) in float32 arithmetic.
    /// </summary>
    private static IEnumerable<float> Thresholds(float min, float max, int steps)
    {
        var step = (max - min) / steps;
        if (!(step > 0)) yield break;
        var count = (long)Math.Ceiling(((double)max - min) / step);
        var increment = (min + step) - min;
        for (long i = 0; i < count; i++) yield return min + (float)i * increment;
    }

    /// <summary>For one image: per threshold index t, the normal pixels above thresholds[t], and for
    /// each region (1-based) its pixels above thresholds[t] and its size.</summary>
    private static (long[] NormalAbove, long[][] RegionAbove, long[] RegionSizes) Histogram(float[] map, byte[] mask,
        (int[] Labels, int Count) regions, float[] thresholds)
    {
        var bins = thresholds.Length + 1;
        var normal = new long[bins];
        var region = new long[regions.Count + 1][];
        for (var r = 0; r <= regions.Count; r++) region[r] = new long[bins];
        var sizes = new long[regions.Count + 1];
        for (var p = 0; p < map.Length; p++)
        {
            // The pixel is above thresholds[0 .. exceeded-1] (ascending thresholds).
            var exceeded = CountBelow(thresholds, map[p]);
            var label = regions.Labels[p];
            sizes[label]++;
            region[label][exceeded]++;
            if (mask[p] == 0) normal[exceeded]++;
        }
        for (var r = 0; r <= regions.Count; r++) SuffixAbove(region[r]);
        SuffixAbove(normal);
        return (normal, region, sizes);
    }

    /// <summary>Turns "pixels exceeding exactly k thresholds" into "pixels above threshold t" (k > t).</summary>
    private static void SuffixAbove(long[] counts)
    {
        long running = 0;
        for (var t = counts.Length - 1; t >= 0; t--)
        {
            var exactly = counts[t];
            counts[t] = running;
            running += exactly;
        }
    }

    /// <summary>How many thresholds are strictly below the value (binary search, ascending thresholds).</summary>
    private static int CountBelow(float[] thresholds, float value)
    {
        var (lo, hi) = (0, thresholds.Length);
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (thresholds[mid] < value) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private static (float Min, float Max) Range(IReadOnlyList<float[]> maps)
    {
        var (min, max) = (float.PositiveInfinity, float.NegativeInfinity);
        foreach (var map in maps)
        foreach (var v in map)
        {
            if (float.IsNaN(v)) throw new ArgumentException("anomaly maps contain NaN");
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        return (min, max);
    }

    private static double Area(List<(double Fpr, double Pro)> curve)
    {
        if (curve.Count < 2) return 0;
        var scale = curve.Max(c => c.Fpr);
        if (scale <= 0) return 0;
        double area = 0;
        for (var i = 1; i < curve.Count; i++)
            area += Math.Abs(curve[i].Fpr - curve[i - 1].Fpr) / scale * (curve[i].Pro + curve[i - 1].Pro) / 2;
        return area;
    }
}

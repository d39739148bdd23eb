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
        var regions = masks.Select(m => ConnectedComponents.Label(m, height, width)).ToList();
        if (regions.All(r => r.Count == 0)) throw new ArgumentException("AUPRO needs at least one anomalous region in the masks");
        var normalPixels = masks.Sum(m => m.LongLength - m.Count(v => v != 0));
        var (min, max) = Range(maps);
        // Thresholds are independent: evaluate them in parallel, keep them in order.
        var points = Thresholds(min, max, steps).AsParallel().AsOrdered().Select(threshold =>
        {
            var (pro, falsePositives) = Evaluate(maps, masks, regions, threshold);
            return (Fpr: falsePositives / (double)normalPixels, Pro: pro);
        });
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

    private static (double Pro, long FalsePositives) Evaluate(IReadOnlyList<float[]> maps, IReadOnlyList<byte[]> masks,
        List<(int[] Labels, int Count)> regions, float threshold)
    {
        double overlapSum = 0;
        var regionCount = 0;
        long falsePositives = 0;
        for (var i = 0; i < maps.Count; i++)
        {
            var (labels, count) = regions[i];
            var hits = new long[count + 1];
            var sizes = new long[count + 1];
            for (var p = 0; p < labels.Length; p++)
            {
                var above = maps[i][p] > threshold;
                sizes[labels[p]]++;
                if (above) hits[labels[p]]++;
                if (above && masks[i][p] == 0) falsePositives++;
            }
            for (var r = 1; r <= count; r++) overlapSum += hits[r] / (double)sizes[r];
            regionCount += count;
        }
        return (overlapSum / regionCount, falsePositives);
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

namespace Uniformaly.Research.Visualization;

/// <summary>
/// Round axis tick values ("nice numbers", Heckbert, Graphics Gems 1990): linear ticks step by
/// 1, 2 or 5 times a power of ten; log ticks take the mantissas 1, 2, 5 of each decade (only the
/// powers of ten when the range spans more than four decades). The first tick is at or below the
/// data minimum and the last at or above the maximum, so the ticks also give the axis range.
/// </summary>
public static class NiceTicks
{
    /// <summary>Linear ticks covering [min, max] with about <paramref name="targetCount"/> ticks.</summary>
    public static double[] Linear(double min, double max, int targetCount = 6)
    {
        Validate(min, max);
        if (targetCount < 2) throw new ArgumentOutOfRangeException(nameof(targetCount), targetCount, "needs at least 2 ticks");
        if (max - min < 1e-12 * Math.Max(1, Math.Abs(max))) (min, max) = (min - 0.5, max + 0.5);
        var step = NiceNumber(NiceNumber(max - min, round: false) / (targetCount - 1), round: true);
        var first = Math.Floor(min / step);
        var last = Math.Ceiling(max / step);
        return Enumerable.Range(0, (int)(last - first) + 1).Select(i => Clean((first + i) * step)).ToArray();
    }

    /// <summary>Log-scale ticks covering [min, max]; both must be positive.</summary>
    public static double[] Log(double min, double max)
    {
        Validate(min, max);
        if (min <= 0) throw new ArgumentOutOfRangeException(nameof(min), min, "a log axis needs positive values");
        var low = (int)Math.Floor(Math.Log10(min) + 1e-12);
        var high = (int)Math.Ceiling(Math.Log10(max) - 1e-12);
        double[] mantissas = high - low > 4 ? [1] : [1, 2, 5];
        var candidates = Enumerable.Range(low, high - low + 1)
            .SelectMany(e => mantissas.Select(m => Clean(m * Math.Pow(10, e)))).ToList();
        var start = candidates.FindLastIndex(t => t <= min * (1 + 1e-12));
        var end = candidates.FindIndex(t => t >= max * (1 - 1e-12));
        // A single value still gets an axis of non-zero length.
        if (end == start) end++;
        return candidates.Skip(start).Take(end - start + 1).ToArray();
    }

    /// <summary>The 1-2-5 number nearest to (round) or at least (not round) <paramref name="range"/>.</summary>
    private static double NiceNumber(double range, bool round)
    {
        var exponent = Math.Floor(Math.Log10(range));
        var fraction = range / Math.Pow(10, exponent);
        var nice = round
            ? fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
            : fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
        return nice * Math.Pow(10, exponent);
    }

    /// <summary>Removes floating-point noise such as 0.30000000000000004 from a tick value.</summary>
    private static double Clean(double value) => double.Parse(value.ToString("G12", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    private static void Validate(double min, double max)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
            throw new ArgumentException($"axis range [{min}, {max}] must be finite with min <= max");
    }
}

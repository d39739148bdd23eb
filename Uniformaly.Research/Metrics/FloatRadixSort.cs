namespace Uniformaly.Research.Metrics;

/// <summary>
/// Ascending sort of finite floats in three counting passes (11, 11 and 10 bits of an
/// order-preserving unsigned key): O(n), several times faster than a comparison sort on the
/// millions of pixel scores of a test set, and the same order (-0 sorts before +0; both compare equal).
/// </summary>
public static class FloatRadixSort
{
    /// <summary>Below this a comparison sort is cheaper than clearing the histograms.</summary>
    private const int MinimumLength = 1 << 14;

    private const int Bits = 11, Buckets = 1 << Bits;

    public static void Sort(float[] values)
    {
        if (values.Length < MinimumLength)
        {
            Array.Sort(values);
            return;
        }
        var (keys, buffer) = (new uint[values.Length], new uint[values.Length]);
        var counts = new int[3 * Buckets];
        for (var i = 0; i < values.Length; i++)
        {
            var key = Key(values[i]);
            keys[i] = key;
            counts[key & (Buckets - 1)]++;
            counts[Buckets + ((key >> Bits) & (Buckets - 1))]++;
            counts[2 * Buckets + (key >> (2 * Bits))]++;
        }
        for (var pass = 0; pass < 3; pass++)
        {
            Scatter(keys, buffer, counts.AsSpan(pass * Buckets, Buckets), pass * Bits);
            (keys, buffer) = (buffer, keys);
        }
        for (var i = 0; i < values.Length; i++) values[i] = Value(keys[i]);
    }

    /// <summary>Stable counting scatter of <paramref name="from"/> into <paramref name="to"/> by the digit at <paramref name="shift"/>.</summary>
    private static void Scatter(uint[] from, uint[] to, Span<int> counts, int shift)
    {
        var offset = 0;
        for (var b = 0; b < counts.Length; b++) (counts[b], offset) = (offset, offset + counts[b]);
        foreach (var key in from) to[counts[(int)((key >> shift) & (Buckets - 1))]++] = key;
    }

    /// <summary>Flips negative floats entirely and sets the sign bit of positive ones, so unsigned order is float order.</summary>
    private static uint Key(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }

    private static float Value(uint key) =>
        BitConverter.UInt32BitsToSingle((key & 0x8000_0000u) != 0 ? key & 0x7FFF_FFFFu : ~key);
}

using Uniformaly.Research.Common;

namespace Uniformaly.Research.Data;

/// <summary>Low-shot training sets: n images drawn without replacement with a fixed seed.</summary>
public static class LowShot
{
    /// <summary>Draws <paramref name="shots"/> of <paramref name="train"/> (all when there are fewer);
    /// the result keeps the original order so reports stay readable.</summary>
    public static IReadOnlyList<T> Select<T>(IReadOnlyList<T> train, int shots, int seed)
    {
        if (shots < 1) throw new ArgumentOutOfRangeException(nameof(shots), shots, "--low-shot must be at least 1");
        if (shots >= train.Count) return train;
        var random = new SplitMix64((ulong)seed);
        var order = Enumerable.Range(0, train.Count).ToArray();
        random.Shuffle(order);
        return order.Take(shots).Order().Select(i => train[i]).ToList();
    }
}

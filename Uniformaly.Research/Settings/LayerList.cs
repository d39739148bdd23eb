using System.Globalization;
using System.Text.Json.Nodes;

namespace Uniformaly.Research.Settings;

/// <summary>
/// Block selections as users write them: "3-10", "3,5,7" or "1-3,8" (1-based, each block once,
/// ranges ascending), and the same compact form back. Whether the blocks exist is a matter of the
/// backbone (<see cref="BackboneFit"/>).
/// </summary>
public static class LayerList
{
    /// <summary>The highest block number the text may name (the deepest ViT has 24 blocks).</summary>
    public const int MaxBlock = 1000;

    public static ValueKind<int[]> Kind { get; } = new(
        $"1-based block numbers up to {MaxBlock}, each once, as a range or a comma list (3-10, 3,5,7 or 1-3,8)", "blocks",
        text => TryParse(text, out var layers) ? (true, layers) : (false, []), Allows, Format, layers => JsonValue.Create(Format(layers)));

    private static bool Allows(int[] layers) =>
        layers.Length > 0 && layers.All(l => l is >= 1 and <= MaxBlock) && layers.Distinct().Count() == layers.Length;

    private static bool TryParse(string text, out int[] layers)
    {
        var list = new List<int>();
        layers = [];
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length > 2 || !int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                || !int.TryParse(range[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
                || first < 1 || last < first || last > MaxBlock)
                return false;
            list.AddRange(Enumerable.Range(first, last - first + 1));
        }
        layers = [.. list];
        return true;
    }

    /// <summary>The compact form: consecutive runs as ranges ("3-10", "1-3,8").</summary>
    public static string Format(IReadOnlyList<int> layers)
    {
        var parts = new List<string>();
        for (var i = 0; i < layers.Count;)
        {
            var j = i;
            while (j + 1 < layers.Count && layers[j + 1] == layers[j] + 1) j++;
            parts.Add(j == i ? $"{layers[i]}" : $"{layers[i]}-{layers[j]}");
            i = j + 1;
        }
        return string.Join(",", parts);
    }
}

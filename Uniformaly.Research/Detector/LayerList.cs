namespace Uniformaly.Research.Detector;

/// <summary>Layer selections as written on the command line: "3-10", "3,5,7" or "1-3,8".</summary>
public static class LayerList
{
    public static int[] Parse(string text)
    {
        var layers = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length is < 1 or > 2 || !range.All(r => int.TryParse(r, out _)))
                throw new ArgumentException($"--layers: '{part}' is not a layer number or a range such as 3-10");
            var (first, last) = (int.Parse(range[0]), int.Parse(range[^1]));
            if (first < 1 || last < first) throw new ArgumentException($"--layers: '{part}' must be 1-based and ascending");
            layers.AddRange(Enumerable.Range(first, last - first + 1));
        }
        if (layers.Count == 0) throw new ArgumentException("--layers: no layer given");
        if (layers.Distinct().Count() != layers.Count) throw new ArgumentException($"--layers: '{text}' names a layer twice");
        return [.. layers];
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

using System.Globalization;

namespace Uniformaly.Research.Data;

/// <summary>The five multi-class Species-60 splits A-E (Table 13 of the paper): 30 normal class indices each.</summary>
public static class Species60Splits
{
    public static IReadOnlyList<int> Get(string split)
    {
        using var stream = typeof(Species60Splits).Assembly.GetManifestResourceStream("species60_splits.csv")
            ?? throw new InvalidOperationException("the Species-60 split table is missing from the assembly");
        using var reader = new StreamReader(stream);
        reader.ReadLine(); // header: split,normal_class_indices
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split(',');
            if (string.Equals(parts[0], split, StringComparison.OrdinalIgnoreCase))
                return parts[1].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList();
        }
        throw new ArgumentException($"--normal-split: unknown split '{split}' (A, B, C, D, E)");
    }
}

using System.Globalization;
using Uniformaly.Research.Reporting;

namespace Uniformaly.Research.Data;

/// <summary>The five multi-class Species-60 splits A-E (Table 13 of the paper): 30 normal class indices each.</summary>
public static class Species60Splits
{
    public static IReadOnlyList<int> Get(string split)
    {
        var table = PaperResults.Load("uniformaly_species60_splits");
        var key = table.RowKeys.FirstOrDefault(k => string.Equals(k, split, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"--normal-split: unknown split '{split}' ({string.Join(", ", table.RowKeys)})");
        return table.Text(key, "normal_class_indices").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList();
    }
}

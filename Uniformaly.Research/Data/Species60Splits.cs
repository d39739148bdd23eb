using System.Globalization;
using Uniformaly.Research.Reporting;

namespace Uniformaly.Research.Data;

/// <summary>The five multi-class Species-60 splits A-E (Table 13 of the paper): 30 normal class indices each.</summary>
public static class Species60Splits
{
    private static PaperTable Table => PaperResults.Load("uniformaly_species60_splits");

    /// <summary>A, B, C, D, E.</summary>
    public static IReadOnlyList<string> Names { get; } = Table.RowKeys;

    /// <summary>The normal class indices of split <paramref name="split"/>, one of <see cref="Names"/>.</summary>
    public static IReadOnlyList<int> Get(string split) =>
        Table.Text(split, "normal_class_indices").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList();
}

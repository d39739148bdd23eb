using System.Globalization;

namespace Uniformaly.Research.Reporting;

/// <summary>One compared cell: our measurement and the published number (null when the paper has none).</summary>
/// <param name="Cell">What was measured, e.g. "screw image AUROC".</param>
/// <param name="Ours">Our value (NaN when not measured), in the paper's unit.</param>
/// <param name="Paper">The paper's value in the same unit, or null.</param>
public sealed record Comparison(string Cell, double Ours, double? Paper);

/// <summary>Tables of our numbers beside the paper's, with the signed difference ours - paper.</summary>
public static class ComparisonTable
{
    /// <summary>Decimals for AUROC and other percentages.</summary>
    public const int PercentDecimals = 2;

    /// <summary>Decimals for clustering metrics (NMI, ARI, F1) given as fractions.</summary>
    public const int FractionDecimals = 4;

    /// <summary>Columns: <paramref name="cellHeader"/>, ours, paper, ours - paper; "-" where a value is missing.</summary>
    public static MarkdownTable Build(IEnumerable<Comparison> comparisons, int decimals, string cellHeader = "cell")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        var table = new MarkdownTable([cellHeader, "ours", "paper", "ours - paper"]);
        foreach (var c in comparisons)
        {
            var paper = c.Paper ?? double.NaN;
            table.Add(c.Cell, MarkdownTable.Number(c.Ours, decimals), MarkdownTable.Number(paper, decimals), Difference(c.Ours - paper, decimals));
        }
        return table;
    }

    /// <summary>A signed difference ("+0.12", "-0.30", "+0.00"); "-" when either value is missing.</summary>
    public static string Difference(double value, int decimals)
    {
        if (double.IsNaN(value)) return "-";
        var digits = "0." + new string('0', decimals);
        if (decimals == 0) digits = "0";
        // The third section formats values that round to zero, so no "-0.00" appears.
        return value.ToString($"+{digits};-{digits};+{digits}", CultureInfo.InvariantCulture);
    }
}

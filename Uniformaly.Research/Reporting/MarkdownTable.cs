using System.Globalization;
using System.Text;

namespace Uniformaly.Research.Reporting;

/// <summary>A small table rendered as GitHub Markdown or CSV (RFC 4180 quoting).</summary>
public sealed class MarkdownTable(IReadOnlyList<string> header)
{
    private readonly List<string[]> _rows = [];

    public IReadOnlyList<string> Header { get; } = header;

    public IReadOnlyList<string[]> Rows => _rows;

    public void Add(params string[] cells)
    {
        if (cells.Length != Header.Count)
            throw new ArgumentException($"row has {cells.Length} cells, the table has {Header.Count} columns");
        _rows.Add(cells);
    }

    /// <summary>Formats a number with fixed decimals, invariant culture; NaN as "-".</summary>
    public static string Number(double value, int decimals = 2) =>
        double.IsNaN(value) ? "-" : value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("| ").AppendJoin(" | ", Header).AppendLine(" |");
        sb.Append('|').AppendJoin("", Header.Select(_ => "---|")).AppendLine();
        foreach (var row in _rows) sb.Append("| ").AppendJoin(" | ", row.Select(c => c.Replace("|", "\\|"))).AppendLine(" |");
        return sb.ToString();
    }

    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.AppendJoin(",", Header.Select(Common.CsvField.Quote)).Append('\n');
        foreach (var row in _rows) sb.AppendJoin(",", row.Select(Common.CsvField.Quote)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Writes <c>&lt;name&gt;.md</c> and <c>&lt;name&gt;.csv</c> into <paramref name="folder"/>, each atomically.</summary>
    public void WriteFiles(string folder, string name)
    {
        Common.AtomicFile.WriteAllText(Path.Combine(folder, name + ".md"), ToMarkdown());
        Common.AtomicFile.WriteAllText(Path.Combine(folder, name + ".csv"), ToCsv());
    }
}

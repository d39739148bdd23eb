using System.Globalization;
using System.Reflection;

namespace Uniformaly.Research.Reporting;

/// <summary>
/// One published table (a CSV under Reporting/PaperResults/). A row's key is its first cell, or
/// "task/metric" (e.g. "defect/image_auroc") when the second column is named "metric".
/// </summary>
public sealed class PaperTable
{
    private readonly Dictionary<string, string[]> _rows;

    internal PaperTable(string name, IReadOnlyList<string> columns, IReadOnlyList<string[]> rows)
    {
        Name = name;
        Columns = columns;
        KeyColumnCount = columns.Count > 1 && columns[1] == "metric" ? 2 : 1;
        _rows = [];
        foreach (var row in rows)
            if (!_rows.TryAdd(Key(row), row)) throw new FormatException($"paper table '{name}' has the row key '{Key(row)}' twice");
        RowKeys = rows.Select(Key).ToList();
    }

    /// <summary>The file name without ".csv", e.g. "uniformaly_table9_kernel_size".</summary>
    public string Name { get; }

    /// <summary>The CSV header, key columns included.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The row keys in file order.</summary>
    public IReadOnlyList<string> RowKeys { get; }

    private int KeyColumnCount { get; }

    /// <summary>The raw text of a cell ("" when empty).</summary>
    public string Text(string rowKey, string column)
    {
        if (!_rows.TryGetValue(rowKey, out var row))
            throw new KeyNotFoundException($"paper table '{Name}' has no row '{rowKey}'; rows: {string.Join(", ", RowKeys)}");
        var index = Columns.ToList().IndexOf(column);
        if (index < 0) throw new KeyNotFoundException($"paper table '{Name}' has no column '{column}'; columns: {string.Join(", ", Columns)}");
        return row[index];
    }

    /// <summary>A cell as a number (percent for AUROC, fraction for clustering metrics); null when the paper leaves it empty.</summary>
    public double? Value(string rowKey, string column)
    {
        var text = Text(rowKey, column);
        if (text.Length == 0) return null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"paper table '{Name}' row '{rowKey}' column '{column}' is not a number: '{text}'");
    }

    /// <summary>A cell as a number, or null when the paper has no such row, column or value.</summary>
    public double? TryValue(string rowKey, string column) =>
        _rows.ContainsKey(rowKey) && Columns.Contains(column) ? Value(rowKey, column) : null;

    private string Key(string[] row) => string.Join('/', row.Take(KeyColumnCount));
}

/// <summary>The published numbers of the UniFormaly and Dinomaly papers, embedded in the library.</summary>
public static class PaperResults
{
    private const string Prefix = "paper-results/";

    /// <summary>The names of every embedded table (file names without ".csv").</summary>
    public static IReadOnlyList<string> Names { get; } = Assembly.GetExecutingAssembly().GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..^".csv".Length]).Order(StringComparer.Ordinal).ToList();

    /// <summary>Loads a table by name, e.g. "uniformaly_table9_kernel_size".</summary>
    public static PaperTable Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(Prefix + name + ".csv")
            ?? throw new ArgumentException($"no paper table '{name}'; known: {string.Join(", ", Names)}", nameof(name));
        using var reader = new StreamReader(stream);
        var lines = reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        var columns = lines[0].Split(',');
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        foreach (var row in rows)
            if (row.Length != columns.Length) throw new FormatException($"paper table '{name}': row '{string.Join(',', row)}' has {row.Length} cells for {columns.Length} columns");
        return new PaperTable(name, columns, rows);
    }

    /// <summary>Shorthand for <c>Load(table).Value(rowKey, column)</c>.</summary>
    public static double? Value(string table, string rowKey, string column) => Load(table).Value(rowKey, column);
}

namespace Uniformaly.Research.Common;

/// <summary>CSV fields as RFC 4180 writes them.</summary>
public static class CsvField
{
    /// <summary>The cell, in double quotes (inner quotes doubled) when it holds a comma, a quote or a line break.</summary>
    public static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + cell.Replace("\"", "\"\"") + "\"" : cell;
}

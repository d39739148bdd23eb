using System.Text.Json;
using Uniformaly.Research.Common;
using Uniformaly.Research.Masking;

namespace Uniformaly.Experiments.Reproduction;

/// <summary>One unit's metrics (a category, a class, or a set of normal classes), as fractions.</summary>
public sealed record UnitResult(string Unit, Dictionary<string, double> Metrics);

/// <summary>
/// The outcome of one task at one sweep point: per-unit metrics and their mean. Saved as
/// cells/&lt;task&gt;/&lt;point&gt;/cell.json once the cell is complete, with the fingerprint of everything it
/// depended on, so an interrupted reproduction skips finished cells and recomputes changed ones.
/// </summary>
public sealed record CellResult(string Task, string? Point, string Fingerprint, IReadOnlyList<UnitResult> Units, double Seconds)
{
    /// <summary>What Back Patch Masking removed over the cell's fits and test images (null in a cell saved by an earlier version).</summary>
    public MaskedPatches? Masking { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals, // NaN: no pixel metrics
    };

    public const string FileName = "cell.json";

    /// <summary>The mean over units of each metric (NaN when a unit lacks it, e.g. pixel metrics without masks).</summary>
    public double Mean(string metric) => Units.Count == 0 ? double.NaN : Units.Average(u => u.Metrics.GetValueOrDefault(metric, double.NaN));

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    /// <summary>The saved cell at <paramref name="path"/> if it exists, is readable and has this fingerprint.</summary>
    public static CellResult? TryLoad(string path, string fingerprint)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var cell = JsonSerializer.Deserialize<CellResult>(File.ReadAllText(path), Json);
            return cell?.Fingerprint == fingerprint ? cell : null;
        }
        catch (JsonException)
        {
            return null; // a damaged cell is recomputed
        }
    }
}

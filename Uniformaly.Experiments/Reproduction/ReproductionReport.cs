using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Research.Reporting;
using Uniformaly.Research.Torch;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Experiments.Reproduction;

/// <summary>One compared number: where it sits, ours and the paper's, both in the paper's unit.</summary>
/// <param name="Data">The dataset ours was measured on: the paper's ("MVTec AD"), or "synthetic stand-in, not MVTec AD".</param>
/// <param name="StandIn">Ours was measured on a synthetic stand-in, not on the paper's dataset: no difference is taken.</param>
public sealed record ReportRow(string Task, string Unit, string Metric, string? Point, double Ours, double? Paper, string Data, bool StandIn = false)
{
    public double Difference => Paper is { } paper && !StandIn ? Ours - paper : double.NaN;
}

/// <summary>
/// Turns a reproduction's cells into its outputs: NAME.md and NAME.csv (every compared cell with
/// ours, the paper's value and the difference), cells.csv (every unit and metric measured),
/// reproduction.json, and for sweeps one figure (PNG and SVG) per metric with the paper's values dashed beside ours.
/// </summary>
public static class ReproductionReport
{
    /// <summary>The compared cells: task means, or per unit when the paper's table is per unit.</summary>
    public static IReadOnlyList<ReportRow> Rows(ExperimentDefinition definition, IReadOnlyList<CellResult> cells, string backbone)
    {
        var paper = definition.Paper is { Table: { } name } ? PaperResults.Load(name) : null;
        var rows = new List<ReportRow>();
        foreach (var cell in cells)
        {
            var task = definition.Tasks.Single(t => t.Name == cell.Task);
            bool StandIn(string unit) => task.Protocol != Protocol.Semantic && SyntheticDataset.IsStandIn(unit);
            var anyStandIn = cell.Units.Any(u => StandIn(u.Unit));
            foreach (var metric in task.Metrics)
            {
                var scale = MetricValues.PaperScale(metric);
                var units = definition.Paper?.PerUnit == true ? cell.Units.Select(u => (u.Unit, Value: u.Metrics.GetValueOrDefault(metric, double.NaN), StandIn: StandIn(u.Unit))) : [];
                foreach (var (unit, value, standIn) in units.Append(("mean", cell.Mean(metric), anyStandIn)))
                    rows.Add(new ReportRow(cell.Task, unit, metric, cell.Point, value * scale, Lookup(definition, paper, cell.Task, unit, metric, cell.Point, backbone),
                        standIn ? $"synthetic stand-in, not {DatasetCatalog.Title(task.Data)}" : DatasetCatalog.Title(task.Data), standIn));
            }
        }
        return rows;
    }

    /// <summary>Writes every output into <paramref name="folder"/> and returns the Markdown report.</summary>
    public static string Write(string folder, ExperimentDefinition definition, ReproductionResult result, ReproductionOptions options)
    {
        Directory.CreateDirectory(folder);
        var backbone = options.Checkpoint ?? options.Backbone ?? definition.Backbone;
        var rows = Rows(definition, result.Cells, backbone);
        var table = Table(definition, rows);
        table.WriteFiles(folder, definition.Name);
        AllCells(result.Cells).WriteFiles(folder, "cells");
        var plots = definition.Sweep is null ? [] : Plots(folder, definition, rows);
        AtomicFile.WriteAllText(Path.Combine(folder, RecordFile), Record(definition, result, options).ToJsonString(new() { WriteIndented = true }));
        var markdown = Markdown(definition, result, rows, table, plots, backbone, options.CacheRoot is not null);
        AtomicFile.WriteAllText(Path.Combine(folder, "README.md"), markdown);
        return markdown;
    }

    private static MarkdownTable Table(ExperimentDefinition definition, IReadOnlyList<ReportRow> rows)
    {
        var header = new List<string> { "task", "unit", "data", "metric" };
        if (definition.Sweep is { } sweep) header.Add(sweep.Parameter);
        header.AddRange(["ours", "paper", "ours - paper"]);
        var table = new MarkdownTable(header);
        foreach (var row in rows)
        {
            var decimals = MetricValues.Decimals(row.Metric);
            var cells = new List<string> { row.Task, row.Unit, row.Data, row.Metric };
            if (definition.Sweep is not null) cells.Add(row.Point!);
            cells.AddRange([MarkdownTable.Number(row.Ours, decimals), MarkdownTable.Number(row.Paper ?? double.NaN, decimals),
                ComparisonTable.Difference(row.Difference, decimals)]);
            table.Add([.. cells]);
        }
        return table;
    }

    private static MarkdownTable AllCells(IReadOnlyList<CellResult> cells)
    {
        var table = new MarkdownTable(["task", "point", "unit", "metric", "value", "cell_seconds"]);
        foreach (var cell in cells)
        foreach (var unit in cell.Units)
        foreach (var (metric, value) in unit.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
            table.Add(cell.Task, cell.Point ?? "", unit.Unit, metric, value.ToString("R", CultureInfo.InvariantCulture),
                cell.Seconds.ToString("F3", CultureInfo.InvariantCulture));
        return table;
    }

    /// <summary>The paper's value of a cell, or null where the paper has none.</summary>
    private static double? Lookup(ExperimentDefinition definition, PaperTable? paper, string task, string unit, string metric, string? point, string backbone)
    {
        if (paper is null || definition.Paper is not { } mapping) return null;
        string Fill(string template) => template.Replace("{task}", task).Replace("{unit}", unit)
            .Replace("{metric}", mapping.MetricNames.GetValueOrDefault(metric, metric)).Replace("{value}", point ?? "").Replace("{family}", Family(backbone));
        return paper.TryValue(Fill(mapping.Row), Fill(mapping.Column));
    }

    /// <summary>The paper's column family of a backbone: ibot for iBOT weights, else dino (UniFormaly-DINO).</summary>
    public static string Family(string backbone) =>
        Path.GetFileName(backbone).Contains("ibot", StringComparison.OrdinalIgnoreCase) ? "ibot" : "dino";

    /// <summary>One chart per metric (NAME_&lt;metric&gt;.png and .svg): x = the sweep values, a solid
    /// line per task (ours) and a dashed one (the paper). Returns the PNG file names.</summary>
    private static List<string> Plots(string folder, ExperimentDefinition definition, IReadOnlyList<ReportRow> rows)
    {
        var sweep = definition.Sweep!;
        var axis = sweep.Values.All(v => double.IsFinite(Numeric(v)))
            ? SweepAxis.Numeric(sweep.Label, [.. sweep.Values.Select(v => Numeric(v) * (sweep.Percent ? 100 : 1))], sweep.LogX)
            : SweepAxis.Categorical(sweep.Label, sweep.Values);
        var files = new List<string>();
        var means = rows.Where(r => r.Unit == "mean").ToList();
        foreach (var metric in means.Select(r => r.Metric).Distinct())
        {
            var series = new List<LineSeries>();
            var tasks = means.Where(r => r.Metric == metric).Select(r => r.Task).Distinct().ToList();
            for (var i = 0; i < tasks.Count; i++)
            {
                var byPoint = means.Where(r => r.Metric == metric && r.Task == tasks[i]).ToDictionary(r => r.Point!);
                var standIn = means.Any(r => r.Metric == metric && r.Task == tasks[i] && r.StandIn);
                series.Add(new LineSeries($"{tasks[i]} (ours{(standIn ? ", synthetic stand-in" : "")})", sweep.Values.Select(v => byPoint.TryGetValue(v, out var r) ? r.Ours : double.NaN).ToList(), LineStyle.Solid, i));
                var paper = sweep.Values.Select(v => byPoint.TryGetValue(v, out var r) ? r.Paper ?? double.NaN : double.NaN).ToList();
                if (paper.Any(double.IsFinite)) series.Add(new LineSeries($"{tasks[i]} (paper)", paper, LineStyle.Dashed, i));
            }
            if (definition.Paper is { TextPoints.Count: > 0 } text && series.Count > 0)
                series.Add(new LineSeries(text.TextNote ?? "paper (text)", sweep.Values.Select(v =>
                    text.TextPoints.FirstOrDefault(p => p.X == Numeric(v)) is { } p && p != default ? p.Value : double.NaN).ToList(), LineStyle.Dashed, tasks.Count));
            if (series.Count == 0) continue;
            using var plot = SweepChart.Create($"{definition.Title}: {MetricValues.Title(metric)}", axis, MetricValues.AxisTitle(metric), series);
            var file = $"{definition.Name}_{metric}";
            Figure.Write(plot, Path.Combine(folder, file), 820, 460);
            files.Add($"{file}.png");
        }
        return files;
    }

    private static double Numeric(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) ? x : double.NaN;

    // FeatureExtractor.Description starts so, for the console; the report's line names it already.
    private const string LoadedPrefix = "backbone: ";

    private static string Markdown(ExperimentDefinition definition, ReproductionResult result, IReadOnlyList<ReportRow> rows, MarkdownTable table,
        List<string> plots, string backbone, bool cached)
    {
        var md = new StringBuilder();
        md.AppendLine($"# {definition.Title}").AppendLine();
        // Every cell reused from an earlier run loads no backbone: then the one asked for is named.
        var loaded = result.Backbones.Count > 0
            ? string.Join("; ", result.Backbones.Select(b => b.StartsWith(LoadedPrefix, StringComparison.Ordinal) ? b[LoadedPrefix.Length..] : b))
            : $"{backbone} (not loaded: every cell was reused from an earlier run)";
        var differs = backbone == definition.Backbone ? "" : $" (the paper used {definition.Backbone}; differences are expected)";
        // A paper table whose columns are not UniFormaly's families (AnomalyDINO's) gets no family.
        var paper = definition.Paper is { } mapping && !mapping.Column.Contains("{family}", StringComparison.Ordinal)
            ? differs.Length == 0 ? "" : $" Paper{differs}."
            : $" Paper column: UniFormaly-{Family(backbone).ToUpperInvariant()}{differs}.";
        md.AppendLine($"Backbone: {loaded}.{paper}").AppendLine();
        md.Append(table.ToMarkdown()).AppendLine();
        foreach (var skipped in result.Skipped) md.AppendLine($"- skipped **{skipped.Task}**: {skipped.Reason}");
        if (result.Skipped.Count > 0) md.AppendLine();
        foreach (var plot in plots) md.AppendLine($"![{plot}]({plot})");
        if (plots.Count > 0) md.AppendLine();
        if (definition.Paper?.TextNote is { } note) md.AppendLine($"Note: {note}").AppendLine();
        if (rows.Any(r => r.StandIn))
            md.AppendLine("Rows marked as a synthetic stand-in were measured on `uniformaly synth`'s generated images, not on the paper's " +
                "dataset: the paper's number is shown for orientation only, and no difference is taken.").AppendLine();
        md.Append(MaskingSection(definition, result.Cells));
        var cache = cached ? $"backbone feature cache: {result.FeatureCacheHits} hits, {result.FeatureCacheMisses} images through the backbone" : "feature cache off";
        md.AppendLine($"Cells: {result.Cells.Count} ({result.ReusedCells} reused from an earlier run); {cache}; " +
            $"libtorch {TorchRuntime.Version}, {TorchRuntime.NumThreads} threads.");
        return md.ToString();
    }

    /// <summary>The settings a sweep of which shows Back Patch Masking's effect, and only if BPM removes patches.</summary>
    private static readonly string[] MaskingSettings = ["kernel", "threshold", "bpm"];

    /// <summary>How many patches Back Patch Masking removed in each cell (training and test), and, when it removed
    /// none in binary mode, that those numbers cannot show its effect.</summary>
    private static string MaskingSection(ExperimentDefinition definition, IReadOnlyList<CellResult> cells)
    {
        var counted = cells.Where(c => c.Masking is not null).ToList();
        if (counted.Count == 0) return "";
        var header = new List<string> { "task" };
        if (definition.Sweep is { } sweep) header.Add(sweep.Parameter);
        header.AddRange(["BPM", "training patches removed", "test patch scores zeroed"]);
        var table = new MarkdownTable(header);
        foreach (var cell in counted)
        {
            var m = cell.Masking!;
            table.Add([cell.Task, .. definition.Sweep is null ? Array.Empty<string>() : [cell.Point!], m.ModeName, m.Train.Text(), m.Test.Text()]);
        }
        var md = new StringBuilder("Back Patch Masking (docs/method.md section 5): training patches it kept out of the memory bank, " +
            "test patches whose scores it set to 0.\n\n");
        md.Append(table.ToMarkdown()).AppendLine();
        var noEffect = counted.Where(c => c.Masking!.NoEffect && c.Masking.Mode != Research.Masking.BackPatchMaskingMode.Off).ToList();
        if (noEffect.Count > 0)
        {
            var sweepsMasking = definition.Sweep is { } s && MaskingSettings.Contains(s.Parameter);
            var where = noEffect.Count == counted.Count ? "in any cell" : "in " + string.Join(", ", noEffect.Select(c => c.Task + (c.Point is null ? "" : $" at {definition.Sweep!.Parameter}={c.Point}")));
            md.AppendLine($"**Binary BPM removed no patch {where}**: every patch's smoothed attention exceeded the threshold, so BPM " +
                "changed nothing there (a backbone with flat attention, such as random weights, does this)" +
                (sweepsMasking ? $"; this {definition.Sweep!.Parameter} sweep cannot show BPM's effect there: those points give the numbers BPM off would." : ".")).AppendLine();
        }
        return md.ToString();
    }

    /// <summary>OUT/NAME/reproduction.json: how the reproduction was run (each cell's settings.json holds the
    /// settings that computed it, as a --config of run or cluster).</summary>
    public const string RecordFile = "reproduction.json";

    private static JsonObject Record(ExperimentDefinition definition, ReproductionResult result, ReproductionOptions options) => new()
    {
        ["reproduction"] = definition.Name,
        ["definition"] = definition.Source,
        ["data-root"] = options.DataRoot,
        ["backbone"] = options.Backbone,
        ["checkpoint"] = options.Checkpoint,
        ["categories"] = options.Categories,
        ["classes"] = options.Classes,
        ["set"] = new JsonArray([.. options.Overrides.Select(o => JsonValue.Create($"{o.Setting.Name}={o.Text}"))]),
        ["device"] = options.Device.ToString(),
        ["batch-size"] = options.BatchSize,
        ["feature-cache"] = options.CacheRoot,
        ["backbones-loaded"] = new JsonArray([.. result.Backbones.Select(b => JsonValue.Create(b))]),
        ["skipped"] = new JsonArray([.. result.Skipped.Select(s => new JsonObject { ["task"] = s.Task, ["reason"] = s.Reason })]),
        ["libtorch"] = TorchRuntime.Version,
        ["threads"] = TorchRuntime.NumThreads,
        ["uniformaly"] = ToolkitVersion.Text,
        ["dotnet"] = Environment.Version.ToString(),
        ["os"] = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        ["date-utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
    };
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Uniformaly.Research.Common;
using Uniformaly.Research.Metrics;
using Uniformaly.Research.Reporting;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Research.Evaluation;

/// <summary>
/// Writes a run's results into its output folder, each file atomically: scores.csv (one row per test
/// image), metrics.json (per category and overall), settings.json (everything the run used),
/// metrics.md (the table the CLI prints, with what it cannot say in numbers), metrics.csv (the table) and, per category, its ROC and precision-recall curves as
/// figures (curves/&lt;category&gt;_roc.png and .svg, curves/&lt;category&gt;_pr.png and .svg).
/// </summary>
public static class EvaluationWriter
{
    /// <param name="folder">The run's output folder.</param>
    /// <param name="result">What to write.</param>
    /// <param name="settings">The settings the run used, written as settings.json (<see cref="SettingsFile"/>).</param>
    /// <param name="about">settings.json's informational part.</param>
    /// <param name="curves">Draw the curve figures (a sweep's cells draw them at the paper's setting only).</param>
    public static void Write(string folder, EvaluationResult result, SettingValues settings, JsonObject about, bool curves = true)
    {
        Directory.CreateDirectory(folder);
        AtomicFile.WriteAllText(Path.Combine(folder, "scores.csv"), ScoresCsv(result));
        AtomicFile.WriteAllText(Path.Combine(folder, "metrics.json"), MetricsJson(result).ToJsonString(Indented));
        SettingsFile.Write(Path.Combine(folder, SettingsFile.FileName), settings, about);
        AtomicFile.WriteAllText(Path.Combine(folder, "metrics.md"), Markdown(result));
        AtomicFile.WriteAllText(Path.Combine(folder, "metrics.csv"), Table(result).ToCsv());
        if (curves) WriteCurves(Path.Combine(folder, "curves"), result);
    }

    /// <summary>Per category, ROC and precision-recall figures with the image-level curve and, when
    /// the category has masks, the pixel-level one.</summary>
    private static void WriteCurves(string folder, EvaluationResult result)
    {
        foreach (var c in result.Categories)
        {
            if (c.Curves is not { } curves) continue;
            CurveSet[] sets = [.. new[] { ("image", curves.Image), ("pixel", curves.Pixel) }.Where(c => c.Item2 is not null).Select(c => new CurveSet(c.Item1, c.Item2!))];
            var name = Figure.FileName(c.Category);
            using var roc = CurveChart.Roc($"{c.Category}: ROC", sets);
            Figure.Write(roc, Path.Combine(folder, $"{name}_roc"), CurveChart.Width, CurveChart.Height);
            using var precisionRecall = CurveChart.PrecisionRecall($"{c.Category}: precision-recall", sets);
            Figure.Write(precisionRecall, Path.Combine(folder, $"{name}_pr"), CurveChart.Width, CurveChart.Height);
        }
    }

    /// <summary>metrics.md, as the command line prints it: <see cref="Table"/>, then what it cannot say in numbers
    /// (which metrics are undefined and why, what Back Patch Masking removed).</summary>
    public static string Markdown(EvaluationResult result)
    {
        var md = new StringBuilder(Table(result).ToMarkdown());
        var notes = UndefinedNotes(result).ToList();
        if (result.Masking is { } masking) notes.Add(masking.Sentence());
        if (notes.Count > 0) md.AppendLine().AppendJoin("", notes.Select(n => $"- {n}\n"));
        return md.ToString();
    }

    /// <summary>"undefined: image AUROC, image AP, image F1-max for synth_object (the test set has no defect images, ...)", one line per reason.</summary>
    private static IEnumerable<string> UndefinedNotes(EvaluationResult result) =>
        from c in result.Categories
        from entry in c.Metrics.Undefined
        group (c.Category, Metric: entry.Key) by entry.Value into reason
        select $"undefined: {string.Join(", ", reason.Select(r => r.Metric).Distinct().Select(DetectionMetrics.Title))} for " +
               $"{string.Join(", ", reason.Select(r => r.Category).Distinct())}: {reason.Key}";

    /// <summary>Per category and overall, metrics in percent (as the paper reports them); "undefined" where a
    /// metric cannot be computed (<see cref="DetectionMetrics.Undefined"/>).</summary>
    public static MarkdownTable Table(EvaluationResult result)
    {
        var table = new MarkdownTable(["category", "image AUROC", "pixel AUROC", "AUPRO", "image AP", "image F1-max", "pixel AP", "pixel F1-max", "bank", "seconds"]);
        foreach (var c in result.Categories) table.Add(Row(c.Category, c.Metrics, c.BankSize.ToString(CultureInfo.InvariantCulture), c.Seconds));
        if (result.Categories.Count > 1) table.Add(Row("mean", result.Overall, "", result.Categories.Sum(c => c.Seconds)));
        return table;
    }

    private static string[] Row(string name, DetectionMetrics m, string bank, double seconds)
    {
        return
        [
            name, Percent(m, "image_auroc", m.ImageAuroc), Percent(m, "pixel_auroc", m.PixelAuroc), Percent(m, "aupro", m.Aupro),
            Percent(m, "image_ap", m.ImageAp), Percent(m, "image_f1max", m.ImageF1Max), Percent(m, "pixel_ap", m.PixelAp), Percent(m, "pixel_f1max", m.PixelF1Max),
            bank, MarkdownTable.Number(seconds, 1),
        ];
    }

    /// <summary>Per category, the raw-score thresholds at which the F1-max values are reached (scores at or above
    /// them called anomalous): what <c>fit --validation</c> on this test set would keep.</summary>
    public static MarkdownTable ThresholdTable(EvaluationResult result)
    {
        var table = new MarkdownTable(["category", "image F1-max", "image threshold", "pixel F1-max", "pixel threshold"]);
        foreach (var c in result.Categories)
            table.Add(c.Category, Percent(c.Metrics, "image_f1max", c.Metrics.ImageF1Max), Threshold(c.Metrics.ImageF1Threshold),
                Percent(c.Metrics, "pixel_f1max", c.Metrics.PixelF1Max), Threshold(c.Metrics.PixelF1Threshold));
        return table;
    }

    /// <summary>A metric in percent, or "undefined" (<see cref="DetectionMetrics.Undefined"/>).</summary>
    private static string Percent(DetectionMetrics m, string metric, double value) =>
        m.Undefined.ContainsKey(metric) ? "undefined" : MarkdownTable.Number(100 * value, 2);

    private static string Threshold(double value) => double.IsNaN(value) ? "-" : value.ToString("G6", CultureInfo.InvariantCulture);

    private static double? Finite(double value) => double.IsNaN(value) ? null : value;

    private static string ScoresCsv(EvaluationResult result)
    {
        var table = new MarkdownTable(["category", "image", "anomaly_type", "label", "score"]);
        foreach (var c in result.Categories)
        foreach (var s in c.Scores)
            table.Add(c.Category, s.Sample.RelativePath, s.Sample.AnomalyType, s.Sample.Label.ToString(CultureInfo.InvariantCulture),
                s.Score.ToString("R", CultureInfo.InvariantCulture));
        return table.ToCsv();
    }

    private static JsonObject MetricsJson(EvaluationResult result)
    {
        var categories = new JsonObject();
        foreach (var c in result.Categories)
        {
            var entry = Values(c.Metrics);
            entry["image_f1max_threshold"] = Finite(c.Metrics.ImageF1Threshold);
            entry["pixel_f1max_threshold"] = Finite(c.Metrics.PixelF1Threshold);
            entry["train_images"] = c.TrainImages;
            entry["bank_size"] = c.BankSize;
            entry["seconds"] = Math.Round(c.Seconds, 3);
            entry["fit_seconds"] = Math.Round(c.FitSeconds, 3);
            entry["score_seconds"] = Math.Round(c.ScoreSeconds, 3);
            entry["fit_images_per_second"] = Math.Round(c.TrainImages / c.FitSeconds, 3);
            entry["score_images_per_second"] = Math.Round(c.Scores.Count / c.ScoreSeconds, 3);
            if (c.Masking is { } masking) entry["back_patch_masking"] = masking.ToJson();
            categories[c.Category] = entry;
        }
        var overall = Values(result.Overall);
        overall["seconds"] = Math.Round(result.Categories.Sum(c => c.Seconds), 3);
        if (result.Masking is { } total)
        {
            overall["back_patch_masking"] = total.ToJson();
            overall["back_patch_masking_note"] = total.Sentence();
        }
        return new JsonObject { ["categories"] = categories, ["overall"] = overall, ["warnings"] = new JsonArray([.. result.Warnings.Select(w => JsonValue.Create(w))]) };
    }

    /// <summary>The eight metrics as fractions; an undefined one is null, and "undefined" says why.</summary>
    private static JsonObject Values(DetectionMetrics m)
    {
        var json = new JsonObject();
        foreach (var (name, value) in DetectionMetrics.Names.Zip(m.Values)) json[name] = double.IsNaN(value) ? null : value;
        if (m.Undefined.Count > 0) json["undefined"] = new JsonObject([.. m.Undefined.Select(u => KeyValuePair.Create(u.Key, (JsonNode?)u.Value))]);
        return json;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}

using System.Globalization;
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
/// metrics.md (the table the CLI prints) and, per category, its ROC and precision-recall curves as
/// figures (curves/&lt;category&gt;_roc.png and .svg, curves/&lt;category&gt;_pr.png and .svg).
/// </summary>
public static class EvaluationWriter
{
    public static readonly string[] MetricNames =
        ["image_auroc", "pixel_auroc", "pixel_auroc_anomalous", "aupro", "image_ap", "image_f1max", "pixel_ap", "pixel_f1max"];

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
        AtomicFile.WriteAllText(Path.Combine(folder, "metrics.md"), Table(result).ToMarkdown());
        if (curves) WriteCurves(Path.Combine(folder, "curves"), result);
    }

    /// <summary>Per category, ROC and precision-recall figures with the image-level curve and, when
    /// the category has masks, the pixel-level one.</summary>
    private static void WriteCurves(string folder, EvaluationResult result)
    {
        foreach (var c in result.Categories)
        {
            if (c.Curves is not { } curves) continue;
            CurveSet[] sets = curves.Pixel is { } pixel ? [new("image", curves.Image), new("pixel", pixel)] : [new("image", curves.Image)];
            var name = Figure.FileName(c.Category);
            using var roc = CurveChart.Roc($"{c.Category}: ROC", sets);
            Figure.Write(roc, Path.Combine(folder, $"{name}_roc"), CurveChart.Width, CurveChart.Height);
            using var precisionRecall = CurveChart.PrecisionRecall($"{c.Category}: precision-recall", sets);
            Figure.Write(precisionRecall, Path.Combine(folder, $"{name}_pr"), CurveChart.Width, CurveChart.Height);
        }
    }

    /// <summary>Per category and overall, metrics in percent (as the paper reports them).</summary>
    public static MarkdownTable Table(EvaluationResult result)
    {
        var table = new MarkdownTable(["category", "image AUROC", "pixel AUROC", "AUPRO", "image AP", "image F1-max", "pixel AP", "pixel F1-max", "bank", "seconds"]);
        foreach (var c in result.Categories) table.Add(Row(c.Category, c.Metrics, c.BankSize.ToString(CultureInfo.InvariantCulture), c.Seconds));
        if (result.Categories.Count > 1) table.Add(Row("mean", result.Overall, "", result.Categories.Sum(c => c.Seconds)));
        return table;
    }

    private static string[] Row(string name, DetectionMetrics m, string bank, double seconds) =>
    [
        name, Percent(m.ImageAuroc), Percent(m.PixelAuroc), Percent(m.Aupro), Percent(m.ImageAp), Percent(m.ImageF1Max),
        Percent(m.PixelAp), Percent(m.PixelF1Max), bank, MarkdownTable.Number(seconds, 1),
    ];

    private static string Percent(double value) => MarkdownTable.Number(100 * value, 2);

    /// <summary>Per category, the raw-score thresholds at which the F1-max values are reached (scores at or above
    /// them called anomalous): what <c>fit --validation</c> on this test set would keep.</summary>
    public static MarkdownTable ThresholdTable(EvaluationResult result)
    {
        var table = new MarkdownTable(["category", "image F1-max", "image threshold", "pixel F1-max", "pixel threshold"]);
        foreach (var c in result.Categories)
            table.Add(c.Category, Percent(c.Metrics.ImageF1Max), Threshold(c.Metrics.ImageF1Threshold), Percent(c.Metrics.PixelF1Max), Threshold(c.Metrics.PixelF1Threshold));
        return table;
    }

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
            categories[c.Category] = entry;
        }
        var overall = Values(result.Overall);
        overall["seconds"] = Math.Round(result.Categories.Sum(c => c.Seconds), 3);
        return new JsonObject { ["categories"] = categories, ["overall"] = overall, ["warnings"] = new JsonArray([.. result.Warnings.Select(w => JsonValue.Create(w))]) };
    }

    /// <summary>The eight metrics as fractions; NaN (no masks) becomes null.</summary>
    private static JsonObject Values(DetectionMetrics m)
    {
        double[] values = [m.ImageAuroc, m.PixelAuroc, m.PixelAurocAnomalous, m.Aupro, m.ImageAp, m.ImageF1Max, m.PixelAp, m.PixelF1Max];
        var json = new JsonObject();
        for (var i = 0; i < values.Length; i++) json[MetricNames[i]] = double.IsNaN(values[i]) ? null : values[i];
        return json;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}

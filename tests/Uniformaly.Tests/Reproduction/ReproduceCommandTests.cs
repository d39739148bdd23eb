using System.Globalization;
using NUnit.Framework;
using Uniformaly.Experiments.Reproduction;
using Uniformaly.Research.Reporting;
using Uniformaly.Tests.Cli;

namespace Uniformaly.Tests.Reproduction;

/// <summary>
/// Every reproduction end to end on synthetic stand-ins with the tiny ViT: the tables carry the
/// paper's columns, our numbers are computed (and differ from the paper's), sweeps reuse the
/// backbone's features, and interrupted runs resume.
/// </summary>
public sealed class ReproduceCommandTests
{
    private static TempFolder _data = null!;

    [OneTimeSetUp]
    public static void WriteStandIns()
    {
        _data = new TempFolder();
        StandIns.Write(_data.Path);
    }

    [OneTimeTearDown]
    public static void Delete() => _data.Dispose();

    /// <summary>Runs a reproduction on the stand-ins; MVTec tasks on the two synthetic categories
    /// (table2's datasets have their own), one-class semantic tasks on classes 0 and 1.</summary>
    private static (int Code, string Out, string Error) Reproduce(string name, string output, params string[] extra)
    {
        string[] categories = name == "table2" ? [] : ["--categories", StandIns.Categories];
        return CliRunner.Run(["reproduce", name, "--data-root", _data.Path, "--out", output, "--cache-dir", Path.Combine(output, "cache"),
            .. categories, "--classes", "0,1", "--batch-size", "16", .. StandIns.TinyModel, .. extra]);
    }

    /// <summary>(task, unit, metric, point) -> (ours as printed, paper) from NAME.csv.</summary>
    private static Dictionary<string, (string Ours, string Paper)> Comparison(string folder, string name) =>
        ComparisonRows(folder, name).ToDictionary(r => r.Key, r => (r.Ours, r.Paper));

    /// <summary>NAME.csv's rows: "task|unit|metric[|point]", the data column, ours and the paper's.</summary>
    private static IEnumerable<(string Key, string Data, string Ours, string Paper)> ComparisonRows(string folder, string name)
    {
        var lines = File.ReadAllLines(Path.Combine(folder, name, name + ".csv"));
        var header = lines[0].Split(',');
        Assert.That(header[..4], Is.EqualTo(new[] { "task", "unit", "data", "metric" }));
        var hasPoint = header.Length == 8;
        // The data column of a stand-in ("synthetic stand-in, not MVTec AD") is quoted for its comma.
        return lines.Skip(1).Select(l => System.Text.RegularExpressions.Regex.Split(l, ",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)"))
            .Select(c => (string.Join("|", new[] { c[0], c[1], c[3] }.Concat(hasPoint ? [c[4]] : [])), c[2].Trim('"'), c[^3], c[^2]));
    }

    /// <summary>(task, unit, metric, point) -> the value measured, from cells.csv (task, point, unit, metric, value).</summary>
    private static List<(string Task, string Point, string Unit, string Metric, double Value)> Cells(string folder, string name) =>
        File.ReadAllLines(Path.Combine(folder, name, "cells.csv")).Skip(1).Select(l => l.Split(','))
            .Select(c => (c[0], c[1], c[2], c[3], double.Parse(c[4], CultureInfo.InvariantCulture))).ToList();

    /// <summary>What a comparison cell must show: the measured value of its unit, or the mean over
    /// the task's units for "mean", as a percentage except for the clustering metrics.</summary>
    private static double Expected(IReadOnlyList<(string Task, string Point, string Unit, string Metric, double Value)> cells, string cell)
    {
        var key = cell.Split('|');
        var (task, unit, metric, point) = (key[0], key[1], key[2], key.Length > 3 ? key[3] : "");
        var values = cells.Where(c => c.Task == task && c.Metric == metric && c.Point == point && (unit == "mean" ? c.Unit != "mean" : c.Unit == unit))
            .Select(c => c.Value).ToList();
        Assert.That(values, Is.Not.Empty, $"{cell}: measured in cells.csv");
        return values.Average() * (metric is "nmi" or "ari" or "f1" ? 1 : 100);
    }

    [TestCase("table1", "mvtec|mean|image_auroc", "99.32")]
    [TestCase("table1", "mvtec|synth_object|pixel_auroc", "-")]
    [TestCase("table2", "MTD|mean|image_auroc", "99.00")]
    [TestCase("table2", "BTAD|mean|image_auroc", "94.80")]
    [TestCase("table3", "CIFAR-100|mean|image_auroc", "90.00")]
    [TestCase("table3", "Species-60|mean|image_auroc", "92.60")]
    [TestCase("table4", "multiclass|mean|pixel_auroc", "98.10")]
    [TestCase("table4", "oneclass|mean|image_auroc", "99.30")]
    [TestCase("table5", "cifar10|02468|image_auroc", "85.80")]
    [TestCase("table6", "species60|E|image_auroc", "72.40")]
    [TestCase("table7", "mvtec|mean|ari", "0.4330")]
    [TestCase("table8", "mvtec|mean|f1|topk_1", "0.7072")]
    [TestCase("table10", "semantic|mean|image_auroc|soft", "90.49")]
    [TestCase("fig6", "mvtec|mean|image_auroc|5", "-")]
    [TestCase("fig7", "Sem-AD|mean|image_auroc|0.001", "-")]
    [Category("Slow")]
    public void Reproduction_RunsOnStandIns_WithThePapersColumn(string name, string cell, string paper)
    {
        using var output = new TempFolder();
        var (code, stdout, error) = Reproduce(name, output.Path);
        Assert.That(code, Is.EqualTo(0), error);
        var rows = Comparison(output.Path, name);
        Assert.That(rows, Does.ContainKey(cell), string.Join("\n", rows.Keys));
        var (ours, paperText) = rows[cell];
        Assert.That(paperText, Is.EqualTo(paper));
        // The table shows the measured value (or the mean over units) on the paper's scale, rounded to the printed digits.
        var decimals = ours.Length - ours.IndexOf('.') - 1;
        Assert.That(double.Parse(ours, CultureInfo.InvariantCulture), Is.EqualTo(Expected(Cells(output.Path, name), cell)).Within(Tolerances.Printed(decimals)),
            "the table's value is the measured one");
        Assert.That(stdout, Does.Contain("| ours | paper | ours - paper |"));
        Assert.That(File.Exists(Path.Combine(output.Path, name, "reproduction.json")));
        Assert.That(File.ReadAllText(Path.Combine(output.Path, name, "cells.csv")), Does.Contain("image_auroc").Or.Contain("nmi"));
        if (name == "table7")
            Visualization.FigureFiles.AssertReadable(Path.Combine(output.Path, name, "cells", "mvtec", "run", "synth_object_clusters"), 720, 520,
                "synth_object: ", "clusters (NMI", "cluster 0", "good");
    }

    [Test]
    [Category("Slow")]
    public void Table9_BackboneRunsOncePerImage_PlotsAndGalleryAtTheDefaultPointOnly()
    {
        using var output = new TempFolder();
        var (code, stdout, error) = Reproduce("table9", output.Path);
        Assert.That(code, Is.EqualTo(0), error);
        // Defect and multi-class tasks share the mvtec images; the semantic task reads species60's.
        // 2 categories x (3 train + 2 good + 3 defects), and species60's training images of
        // classes 0 and 1 plus its 60 test images.
        Assert.That(stdout, Does.Contain($"{2 * 8 + 2 + 60} images through the backbone"));
        var folder = Path.Combine(output.Path, "table9");
        Visualization.FigureFiles.AssertReadable(Path.Combine(folder, "table9_image_auroc"), 820, 460,
            "BPM kernel size n (patches)", "image AUROC (%)", "defect (ours, synthetic stand-in)", "defect (paper)", "13");
        Visualization.FigureFiles.AssertReadable(Path.Combine(folder, "table9_pixel_auroc"), 820, 460, "pixel AUROC (%)");
        Assert.That(File.ReadAllText(Path.Combine(folder, "README.md")), Does.Contain("![table9_image_auroc.png](table9_image_auroc.png)"));
        Assert.That(Directory.Exists(Path.Combine(folder, "cells", "defect", "kernel_7", "gallery", "synth_object")), "gallery at the default n = 7");
        Assert.That(Directory.Exists(Path.Combine(folder, "cells", "defect", "kernel_3", "gallery")), Is.False, "no gallery at other points");
        var gallery = Path.Combine(folder, "cells", "defect", "kernel_7", "gallery", "synth_object");
        Assert.That(File.ReadAllText(Path.Combine(gallery, "index.md")), Does.Contain("![gallery](gallery.png)").And.Match(@"\| (missed|lowest-scored defect) \| 1 \|"));
        // Three rows (best, missed, false alarm) of 64 px pictures: 48 + 3 x (64 + 34 + 12) - 12 + 8 px high.
        Visualization.FigureFiles.AssertReadable(Path.Combine(gallery, "gallery"), null, 374, "synth_object: best and worst test images", "best #1", "anomaly score");
        var curves = Path.Combine(folder, "cells", "defect", "kernel_7", "curves");
        Visualization.FigureFiles.AssertReadable(Path.Combine(curves, "synth_object_roc"), 560, 500, "synth_object: ROC", "image (AUROC", "pixel (AUROC");
        Visualization.FigureFiles.AssertReadable(Path.Combine(curves, "synth_object_pr"), 560, 500, "precision-recall", "image (AP", "pixel (AP");
        Assert.That(Directory.Exists(Path.Combine(folder, "cells", "defect", "kernel_3", "curves")), Is.False, "no curve figures at other points");
        var rows = Comparison(output.Path, "table9");
        Assert.That(rows["defect|mean|image_auroc|7"].Paper, Is.EqualTo("99.32"));
        Assert.That(rows.Keys.Count(k => k.StartsWith("defect|mean|", StringComparison.Ordinal)), Is.EqualTo(2 * 7));
    }

    [Test]
    [Category("Slow")]
    public void InterruptedReproduction_ResumesFinishedCells_AndRecomputesChangedOnes()
    {
        using var output = new TempFolder();
        Assert.That(Reproduce("table10", output.Path).Code, Is.EqualTo(0));
        var cell = Path.Combine(output.Path, "table10", "cells", "defect", "bpm_soft", "cell.json");
        File.Delete(cell); // as if the run had stopped before this cell finished
        var (code, stdout, error) = Reproduce("table10", output.Path);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(error, Does.Contain("defect bpm=soft done in").And.Contain("defect bpm=binary_0.1 already done"));
        Assert.That(stdout, Does.Contain("11 reused from an earlier run").And.Contain("0 images through the backbone"));
        var (_, _, changed) = Reproduce("table10", output.Path, "--set", "nn=2");
        Assert.That(changed, Does.Not.Contain("already done"), "a changed setting invalidates every cell");
    }

    [Test]
    public void MissingDatasets_AreReportedAsSkipped_WithWhereToGetThem()
    {
        using var empty = new TempFolder();
        using var output = new TempFolder();
        var (code, _, error) = CliRunner.Run(["reproduce", "table3", "--data-root", empty.Path, "--out", output.Path, .. StandIns.TinyModel]);
        Assert.That(code, Is.EqualTo(1), "nothing ran");
        Assert.That(error, Does.Contain("skipping CIFAR-10").And.Contain("cifar-10-binary.tar.gz"));
        Assert.That(error, Does.Contain("skipping Species-60"));
    }

    [Test]
    public void NoCache_WritesNoFeatures_AndSaysSo()
    {
        using var output = new TempFolder();
        var (code, stdout, error) = Reproduce("table1", output.Path, "--no-cache");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout, Does.Contain("feature cache off"));
        Assert.That(Directory.Exists(Path.Combine(output.Path, "cache")), Is.False);
    }

    [TestCase("table99", "unknown reproduction 'table99'", 2)]
    [TestCase("missing.yaml", "experiment definition not found: missing.yaml", 1)]
    public void BadNames_FailClearly(string name, string message, int exitCode)
    {
        var (code, _, error) = CliRunner.Run("reproduce", name, "--data-root", _data.Path);
        Assert.That(code, Is.EqualTo(exitCode));
        Assert.That(error, Does.Contain(message));
    }

    [Test]
    public void BadOverride_NamesTheSetting()
    {
        using var output = new TempFolder();
        var (code, _, error) = Reproduce("table1", output.Path, "--set", "kernel=4");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--set kernel: '4' is not an odd whole number"));
        (code, _, error) = Reproduce("table1", output.Path, "--set", "kernal=3");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--set kernal: 'kernal' is not a setting here").And.Contain("did you mean 'kernel'?"));
    }

    [TestCase("low-shot", "[two]", "bad.yaml: sweep: low-shot: 'two' is not a whole number from 1 to 2147483647")]
    [TestCase("selector", "[best]", "bad.yaml: sweep: selector: 'best' is not one of topk, max or all")]
    [TestCase("kernel", "[4]", "bad.yaml: sweep: kernel: '4' is not an odd whole number from 1 to 99")]
    public void BadSweepValue_FailsNamingIt(string parameter, string values, string message)
    {
        using var output = new TempFolder();
        var yaml = Path.Combine(output.Path, "bad.yaml");
        File.WriteAllText(yaml, $"name: bad\ntitle: bad\nbackbone: dino_vitb8\nsweep: {{parameter: {parameter}, values: {values}}}\n" +
            "tasks:\n  - {name: synth, data: mvtec}\n");
        var (code, _, error) = Reproduce(yaml, output.Path);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain(message));
        Assert.That(Directory.Exists(Path.Combine(output.Path, "bad")), Is.False, "a definition is checked before anything runs");
    }

    [Test]
    public void CopiedDefinition_RunsFromItsFile()
    {
        using var output = new TempFolder();
        var yaml = Path.Combine(output.Path, "mine.yaml");
        File.WriteAllText(yaml, """
            name: mine
            title: kernel sizes on the synthetic data
            backbone: dino_vitb8
            sweep: {parameter: kernel, values: [3, 5]}
            paper: {table: uniformaly_table9_kernel_size, row: "defect/{metric}", column: "n{value}"}
            tasks:
              - {name: synth, data: mvtec, metrics: [image_auroc, aupro]}
            """);
        var (code, _, error) = Reproduce(yaml, output.Path);
        Assert.That(code, Is.EqualTo(0), error);
        var rows = Comparison(output.Path, "mine");
        Assert.That(rows["synth|mean|image_auroc|5"].Paper, Is.EqualTo("99.31"));
        Assert.That(rows["synth|mean|aupro|5"].Paper, Is.EqualTo("-"), "the paper's table has no AUPRO row");
    }

    [Test]
    public void EveryEmbeddedDefinition_Loads_AndNamesAnExistingPaperTable()
    {
        Assert.That(ExperimentLibrary.Names, Is.EqualTo(new[]
            { "table1", "table2", "table3", "table4", "table5", "table6", "table7", "table8", "table9", "table10", "backbones", "anomalydino", "fig6", "fig7" }));
        foreach (var name in ExperimentLibrary.Names)
        {
            var definition = ExperimentLibrary.Load(name);
            Assert.That(definition.Name, Is.EqualTo(name));
            if (definition.Paper?.Table is { } table) Assert.That(PaperResults.Names, Does.Contain(table), name);
        }
    }

    /// <summary>`reproduce anomalydino` and `backbones` name DINOv2/DINOv3 backbones; on the stand-ins a
    /// random-weight ViT-S/16 (12 blocks, so AnomalyDINO's last-block features exist) at 64 px
    /// replaces every backbone, and a sampler ratio that keeps patches of the one-image stand-in
    /// classes replaces theirs.</summary>
    private static (int Code, string Out, string Error) ReproduceOnRandomVit(string name, string output) =>
        CliRunner.Run(["reproduce", name, "--data-root", _data.Path, "--out", output, "--cache-dir", Path.Combine(output, "cache"),
            "--categories", StandIns.Categories, "--classes", "0,1", "--batch-size", "16",
            "--backbone", "random_vits16", "--set", "resize=64", "--set", "imagesize=64", "--set", "sampler-ratio=0.5"]);

    private static string CellSettings(string folder, string name, string task, string point) =>
        File.ReadAllText(Path.Combine(folder, name, "cells", task.Replace('/', '_'), point, "settings.json"));

    [Test]
    [Category("Slow")]
    public void AnomalyDino_RunsEveryShot_BesideItsPublishedNumber()
    {
        using var output = new TempFolder();
        var (code, stdout, error) = ReproduceOnRandomVit("anomalydino", output.Path);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout + error, Does.Contain("RANDOM weights"));
        Assert.That(stdout, Does.Contain("(the paper used dinov2_vits14; differences are expected)").And.Not.Contain("UniFormaly-DINO"),
            "AnomalyDINO's table has no UniFormaly family column");
        var rows = Comparison(output.Path, "anomalydino");
        foreach (var shots in new[] { 1, 2, 4, 8, 16 })
            Assert.That(rows, Does.ContainKey($"anomalydino|mean|image_auroc|{shots}"), string.Join("\n", rows.Keys));
        Assert.That(rows["anomalydino|mean|image_auroc|1"].Paper, Is.EqualTo("96.60"), "the one-shot number of its abstract");
        Assert.That(rows["anomalydino|mean|image_auroc|2"].Paper, Is.EqualTo("-"), "numbers not transcribed are left out");
        var settings = CellSettings(output.Path, "anomalydino", "anomalydino", "low-shot_1");
        Assert.That(settings, Does.Contain("\"distance\": \"cosine\"").And.Contain("\"masking\": \"pca\"")
            .And.Contain("\"rotate-references\": true").And.Contain("\"topk\": 0.01").And.Contain("\"low-shot\": 1"));
    }

    [Test]
    [Category("Slow")]
    public void Backbones_RunsBothRecipesOnEveryTask()
    {
        using var output = new TempFolder();
        var (code, _, error) = ReproduceOnRandomVit("backbones", output.Path);
        Assert.That(code, Is.EqualTo(0), error);
        var definition = ExperimentLibrary.Load("backbones");
        Assert.That(definition.Tasks.Select(t => t.Backbone).Distinct(),
            Is.EquivalentTo(new[] { "dino_vitb8", "ibot_vitb16", "dinov2_vitb14_reg", "dinov3_vitb16" }));
        var cells = File.ReadAllLines(Path.Combine(output.Path, "backbones", "cells.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        foreach (var task in definition.Tasks)
        foreach (var recipe in new[] { "uniformaly", "anomalydino" })
            Assert.That(cells.Any(c => c[0] == task.Name && c[1] == recipe && c[3] == "image_auroc"), $"{task.Name} {recipe}");
        Assert.That(CellSettings(output.Path, "backbones", "dinov3_vitb16/mvtec", "recipe_anomalydino"),
            Does.Contain("\"distance\": \"cosine\"").And.Contain("\"masking\": \"pca\"").And.Contain("\"layers\": \"12\""));
        Assert.That(CellSettings(output.Path, "backbones", "dinov3_vitb16/mvtec", "recipe_uniformaly"),
            Does.Contain("\"distance\": \"l2\"").And.Contain("\"masking\": \"bpm\""));
    }

    /// <summary>A definition's backbones are checked with its cells' settings, before anything runs.</summary>
    [Test]
    public void UnknownBackbone_OfATask_FailsBeforeAnyCellRuns()
    {
        using var output = new TempFolder();
        var yaml = Path.Combine(output.Path, "bad.yaml");
        File.WriteAllText(yaml, "name: bad\ntitle: bad\nbackbone: dino_vitb8\ntasks:\n  - {name: synth, backbone: dino_vitb9, data: mvtec}\n");
        var (code, _, error) = CliRunner.Run("reproduce", yaml, "--data-root", _data.Path, "--out", output.Path);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("bad.yaml: synth: backbone: 'dino_vitb9' is not one of"));
        Assert.That(Directory.Exists(Path.Combine(output.Path, "bad")), Is.False);
    }
}

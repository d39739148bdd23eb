using NUnit.Framework;
using Uniformaly.Experiments.Reproduction;
using Uniformaly.Tests.Cli;

namespace Uniformaly.Tests.Reproduction;

/// <summary>
/// `reproduce anomalydino` and `reproduce backbones` end to end on the synthetic stand-ins. Their
/// definitions name the DINOv2/DINOv3 backbones; here a random-weight ViT-S/16 (12 blocks, so
/// AnomalyDINO's last-block features exist) at 64 px replaces every backbone, and a sampler ratio
/// that keeps patches of the one-image stand-in classes replaces theirs.
/// </summary>
public sealed class RecipeReproductionTests
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

    private static (int Code, string Out, string Error) Reproduce(string name, string output) =>
        CliRunner.Run(["reproduce", name, "--data-root", _data.Path, "--out", output, "--cache-dir", Path.Combine(output, "cache"),
            "--categories", StandIns.Categories, "--classes", "0,1", "--batch-size", "16",
            "--backbone", "random_vits16", "--set", "resize=64", "--set", "imagesize=64", "--set", "sampler-ratio=0.5"]);

    /// <summary>(task, unit, metric, point) -> (ours, paper) from the comparison table NAME.csv.</summary>
    private static Dictionary<string, (string Ours, string Paper)> Comparison(string folder, string name) =>
        File.ReadAllLines(Path.Combine(folder, name, name + ".csv")).Skip(1).Select(l => l.Split(','))
            .ToDictionary(c => string.Join("|", c.Take(4)), c => (c[^3], c[^2]));

    private static string CellSettings(string folder, string name, string task, string point) =>
        File.ReadAllText(Path.Combine(folder, name, "cells", task.Replace('/', '_'), point, "settings.json"));

    [Test]
    [Category("Slow")]
    public void AnomalyDino_RunsEveryShot_BesideItsPublishedNumber()
    {
        using var output = new TempFolder();
        var (code, stdout, error) = Reproduce("anomalydino", output.Path);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout + error, Does.Contain("RANDOM weights"));
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
        var (code, _, error) = Reproduce("backbones", output.Path);
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

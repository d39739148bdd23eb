using System.Text.Json;
using NUnit.Framework;
using Uniformaly.Research.Settings;

namespace Uniformaly.Tests.Cli;

/// <summary>`run` with AnomalyDINO's recipe (--distance cosine --masking pca --low-shot 1, rotated
/// references) end to end on the synthetic dataset, with a random-weight ViT-S/16 (the run says so).</summary>
public sealed class RecipeRunTests
{
    [Test]
    [Category("Slow")]
    public void AnomalyDinosRecipe_RunsEndToEnd_OnSyntheticData()
    {
        using var data = new TempFolder();
        Assert.That(CliRunner.Run(["synth", "--out", data.Path, .. RunFixture.SynthArgs("run")]).ExitCode, Is.EqualTo(0));
        using var output = new TempFolder();
        var (code, stdout, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", data.Path, "--out", output.Path,
            "--backbone", "random_vits16", "--resize", "112", "--imagesize", "112", "--layers", "12", "--topk", "0.01", "--sampler", "identity",
            "--distance", "cosine", "--masking", "pca", "--low-shot", "1", "--rotate-references"]);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(error + stdout, Does.Contain("RANDOM weights"), "a run on random weights says so");
        Assert.That(stdout, Does.Contain("| synth_object |").And.Contain("| mean |"));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "metrics.json")));
        foreach (var category in metrics.RootElement.GetProperty("categories").EnumerateObject())
        {
            Assert.That(category.Value.GetProperty("train_images").GetInt32(), Is.EqualTo(1), category.Name);
            Assert.That(category.Value.GetProperty("bank_size").GetInt64(), Is.EqualTo(8 * 7 * 7),
                $"{category.Name}: one image in 8 rotations, every 7 x 7 patch kept (--masking pca masks test images only)");
        }
        var scores = File.ReadAllLines(Path.Combine(output.Path, "scores.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[^1], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.That(scores, Has.All.InRange(0.0, 2.0), "cosine distances lie in [0, 2]");
        var saved = SettingsFile.Read(Path.Combine(output.Path, SettingsFile.FileName), SettingGroups.All);
        var settings = DetectorSettings.From(saved);
        Assert.That((settings.Distance, settings.Masking, settings.RotateReferences),
            Is.EqualTo((Research.Search.PatchDistance.Cosine, Research.Masking.ForegroundMasking.Pca, true)), "settings.json records the recipe");
    }
}

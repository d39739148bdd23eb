using System.Text.Json.Nodes;
using NUnit.Framework;
using Uniformaly.Tests.Parity;
using Uniformaly.Tests.Reproduction;

namespace Uniformaly.Tests.Cli;

/// <summary>
/// A settings.json written by a command is a --config of that command that computes the same
/// scores again, bit for bit: run, fit (the model folder's settings.json, scored by predict),
/// cluster, and a reproduction cell's given back to run.
/// </summary>
[Category("Slow")]
public sealed class SettingsRoundTripTests
{
    private static TempFolder _data = null!;

    /// <summary>The tiny ViT with settings away from their defaults, so each must be carried.</summary>
    private static readonly string[] Model =
    [
        "--checkpoint", ParityFixture.Checkpoint, "--layers", "1,3", "--attention-layer", "2", "--resize", "72", "--imagesize", "64",
        "--kernel", "3", "--threshold", "0.2", "--topk", "0.1", "--nn", "2", "--sampler", "random", "--sampler-ratio", "0.7", "--seed", "5",
        "--batch-size", "3",
    ];

    [OneTimeSetUp]
    public static void WriteStandIns()
    {
        _data = new TempFolder();
        StandIns.Write(_data.Path);
    }

    [OneTimeTearDown]
    public static void Delete() => _data.Dispose();

    private static string Mvtec => Path.Combine(_data.Path, "mvtec");

    [Test]
    public void Run_SettingsJsonAsConfig_GivesTheSameScores()
    {
        using var output = new TempFolder();
        var first = Path.Combine(output.Path, "first");
        Succeeds(["run", "--dataset", "folder", "--data-root", Mvtec, "--low-shot", "2", "--out", first, .. Model]);
        var again = Path.Combine(output.Path, "again");
        Succeeds("run", "--config", Path.Combine(first, "settings.json"), "--out", again);
        AssertSame(first, again, "scores.csv");
        Assert.That(Settings(again), Is.EqualTo(Settings(first)), "the same settings, written again");
    }

    [Test]
    public void Fit_ModelSettingsAsConfig_FitsAModelThatScoresTheSame()
    {
        using var output = new TempFolder();
        var (first, again) = (Path.Combine(output.Path, "m1"), Path.Combine(output.Path, "m2"));
        var train = Path.Combine(Mvtec, "synth_texture", "train", "good");
        Succeeds(["fit", "--images", train, "--out", first, .. Model]);
        Succeeds("fit", "--config", Path.Combine(first, "settings.json"), "--out", again);
        var test = Path.Combine(Mvtec, "synth_texture", "test");
        string[] images = [Path.Combine(test, "good"), Path.Combine(test, "hole")];
        Succeeds(["predict", "--model", first, "--images", .. images, "--out", Path.Combine(output.Path, "first.csv")]);
        Succeeds(["predict", "--model", again, "--images", .. images, "--out", Path.Combine(output.Path, "again.csv")]);
        Assert.That(File.ReadAllText(Path.Combine(output.Path, "again.csv")), Is.EqualTo(File.ReadAllText(Path.Combine(output.Path, "first.csv"))));
        Assert.That(Settings(again), Is.EqualTo(Settings(first)));
    }

    [Test]
    public void Cluster_SettingsJsonAsConfig_GivesTheSameClusters()
    {
        using var output = new TempFolder();
        var first = Path.Combine(output.Path, "first");
        Succeeds(["cluster", "--dataset", "folder", "--data-root", Mvtec, "--selector", "max", "--out", first, .. Model]);
        var again = Path.Combine(output.Path, "again");
        Succeeds("cluster", "--config", Path.Combine(first, "settings.json"), "--out", again);
        AssertSame(first, again, "clusters.csv");
        AssertSame(first, again, "clustering.json");
    }

    /// <summary>A reproduction cell's settings.json runs its cell alone: the cell's scores, from run.</summary>
    [Test]
    public void ReproductionCell_SettingsJsonAsRunConfig_GivesTheCellsScores()
    {
        using var output = new TempFolder();
        Succeeds(["reproduce", "table9", "--data-root", _data.Path, "--out", output.Path, "--categories", StandIns.Categories, "--no-cache",
            .. StandIns.TinyModel, "--set", "kernel=5"]);
        var cell = Path.Combine(output.Path, "table9", "cells", "defect", "kernel_3");
        var again = Path.Combine(output.Path, "again");
        Succeeds("run", "--config", Path.Combine(cell, "settings.json"), "--out", again);
        AssertSame(cell, again, "scores.csv");
        Assert.That(SettingsJson(again)["kernel"]!.GetValue<int>(), Is.EqualTo(3), "the sweep point, over --set kernel=5");
    }

    private static void Succeeds(params string[] args)
    {
        var (code, _, error) = CliRunner.Run(args);
        Assert.That(code, Is.EqualTo(0), error);
    }

    private static void AssertSame(string first, string again, string file) =>
        Assert.That(File.ReadAllText(Path.Combine(again, file)), Is.EqualTo(File.ReadAllText(Path.Combine(first, file))), file);

    /// <summary>settings.json without its informational part, as JSON text.</summary>
    private static string Settings(string folder) => SettingsJson(folder).ToJsonString();

    private static JsonObject SettingsJson(string folder)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "settings.json")))!.AsObject();
        Assert.That(json.ContainsKey("about"));
        json.Remove("about");
        return json;
    }
}

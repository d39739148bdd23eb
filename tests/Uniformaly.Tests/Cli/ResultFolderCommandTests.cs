using System.Diagnostics;
using System.Text;
using NUnit.Framework;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Tests.Parity;

namespace Uniformaly.Tests.Cli;

/// <summary>
/// Result folders through the commands: a failing `run`, `cluster`, `predict` or `reproduce` leaves
/// the previous results whole and the user's own files untouched; a second process writing the
/// same folder is refused, and a killed one leaves no stuck lock.
/// </summary>
public sealed class ResultFolderCommandTests
{
    private static readonly string[] Model =
        ["--checkpoint", ParityFixture.Checkpoint, "--layers", "1-3", "--resize", "64", "--imagesize", "64", "--kernel", "3", "--sampler", "identity"];

    /// <summary>Holds mvtec/ (two synthetic categories): --data-root of reproductions; its mvtec/ that of the other commands.</summary>
    private static TempFolder _root = null!;

    private static string Data => Path.Combine(_root.Path, "mvtec");

    [OneTimeSetUp]
    public static void WriteDataset()
    {
        _root = new TempFolder();
        SyntheticDataset.Write(Data, new SyntheticDatasetOptions { TrainImages = 3, TestGoodImages = 2, TestImagesPerDefect = 1, Size = 64 });
    }

    [OneTimeTearDown]
    public static void Delete() => _root.Dispose();

    [Test]
    public void FailingRun_KeepsThePreviousResults_AndTheUsersFiles()
    {
        using var output = new TempFolder();
        var notes = output.File("notes.txt", "the user's"u8.ToArray());
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", Data, "--out", output.Path, "--save-maps", .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        var before = Snapshot(output.Path);
        Assert.That(before.Keys, Does.Contain("scores.csv").And.Contain("metrics.json").And.Contain(Path.Combine("maps", "synth_object", "test", "good", "000.png")));

        // The case: this run used to fail after writing a header-only scores.csv over the old one.
        using var empty = new TempFolder();
        (code, _, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", empty.Path, "--out", output.Path, .. Model]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain(empty.Path));
        Assert.That(Snapshot(output.Path), Is.EqualTo(before));

        (code, _, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", Data, "--categories", "synth_texture", "--out", output.Path, .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(File.ReadAllLines(Path.Combine(output.Path, "scores.csv")).Skip(1).Select(l => l.Split(',')[0]).Distinct(), Is.EqualTo(new[] { "synth_texture" }));
        Assert.That(Directory.Exists(Path.Combine(output.Path, "maps")), Is.False, "the previous run's maps are not mixed into this one's results");
        Assert.That(File.ReadAllText(notes), Is.EqualTo("the user's"));
    }

    [Test]
    public void Cluster_ReplacesItsWholePreviousSet_OrNothingWhenItFails()
    {
        using var output = new TempFolder();
        var (code, _, error) = CliRunner.Run(["cluster", "--dataset", "folder", "--data-root", Data, "--out", output.Path, .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        var before = Snapshot(output.Path);
        Assert.That(before.Keys, Does.Contain("clusters.csv").And.Contain("synth_object_clusters.svg"));
        (code, _, error) = CliRunner.Run(["cluster", "--dataset", "folder", "--data-root", Data, "--clusters", "99", "--out", output.Path, .. Model]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("k = 99 clusters"));
        Assert.That(Snapshot(output.Path), Is.EqualTo(before));

        (code, _, error) = CliRunner.Run(["cluster", "--dataset", "folder", "--data-root", Data, "--categories", "synth_texture", "--out", output.Path, .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(Snapshot(output.Path).Keys, Is.EquivalentTo(new[] { "clusters.csv", "clustering.json", "clustering.md", "settings.json", "synth_texture_clusters.png", "synth_texture_clusters.svg" }),
            "no scatter plot of the previous run's other category");
    }

    [Test]
    public void Predict_ReplacesItsWholePreviousSet_OrNothingWhenItFails()
    {
        using var output = new TempFolder();
        var model = Path.Combine(output.Path, "model");
        var (code, _, error) = CliRunner.Run(["fit", "--images", Path.Combine(Data, "synth_texture", "train", "good"), "--out", model, .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        var test = Path.Combine(Data, "synth_texture", "test");
        var (csv, heatmaps) = (Path.Combine(output.Path, "scores.csv"), Path.Combine(output.Path, "heatmaps"));
        var userFile = output.File(Path.Combine("heatmaps", "README.txt"), "the user's"u8.ToArray());
        (code, _, error) = CliRunner.Run("predict", "--model", model, "--images", Path.Combine(test, "good"), "--out", csv, "--heatmaps", heatmaps);
        Assert.That(code, Is.EqualTo(0), error);
        var (scores, maps) = (File.ReadAllText(csv), Snapshot(heatmaps));
        Assert.That(maps.Keys, Is.EquivalentTo(new[] { "000.png.heatmap.png", "001.png.heatmap.png", "README.txt" }));

        using var broken = new TempFolder();
        File.Copy(Path.Combine(test, "good", "000.png"), Path.Combine(broken.Path, "000.png"));
        var bad = broken.File("001.png", [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        (code, _, error) = CliRunner.Run("predict", "--model", model, "--images", broken.Path, "--out", csv, "--heatmaps", heatmaps);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain(bad));
        Assert.That(File.ReadAllText(csv), Is.EqualTo(scores));
        Assert.That(Snapshot(heatmaps), Is.EqualTo(maps));

        (code, _, error) = CliRunner.Run("predict", "--model", model, "--images", Path.Combine(test, "hole"), "--out", csv, "--heatmaps", heatmaps);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(Snapshot(heatmaps).Keys, Is.EquivalentTo(new[] { "000.png.heatmap.png", "README.txt" }), "the heatmaps of the images scored now, and the user's file");
        Assert.That(File.ReadAllText(userFile), Is.EqualTo("the user's"));
    }

    [Test]
    public void FailingReproduction_KeepsItsFinishedCells_AndThePreviousReport()
    {
        using var output = new TempFolder();
        var (code, _, error) = Reproduce(output.Path, "[1, 2]");
        Assert.That(code, Is.EqualTo(0), error);
        var folder = Path.Combine(output.Path, "mine");
        var report = File.ReadAllText(Path.Combine(folder, "README.md"));
        Assert.That(report, Does.Contain("| 2 |"));

        // Point 3 is computed and published as a cell; point 99999 then fails (more neighbours than the
        // bank can hold, found when its cell starts), so the report is not replaced.
        (code, _, error) = Reproduce(output.Path, "[1, 3, 99999]");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("mine.yaml: sweep: nn: 99999 neighbours, but the memory bank holds at most"));
        Assert.That(File.ReadAllText(Path.Combine(folder, "README.md")), Is.EqualTo(report));
        Assert.That(File.Exists(Path.Combine(folder, "cells", "synth", "nn_3", "cell.json")), "a finished cell is kept for the next run");

        (code, _, error) = Reproduce(output.Path, "[1, 3]");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(error, Does.Contain("synth nn=3 already done"));
    }

    [Test]
    public void ASecondWriterOfAFolderInUse_IsRefusedNamingIt()
    {
        using var output = new TempFolder();
        using (ResultFolder.Open(Path.Combine(output.Path, "mine"), "reproduce"))
        {
            var (code, _, error) = Reproduce(output.Path, "[3]");
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain(Path.Combine(output.Path, "mine")).And.Contain("is in use"));
        }
        Assert.That(Reproduce(output.Path, "[3]").Code, Is.EqualTo(0), "free again once the first writer is done");
    }

    [Test]
    public void AnotherProcessWriting_IsRefused_AndItsLockDiesWithIt()
    {
        using var temp = new TempFolder();
        var model = Path.Combine(temp.Path, "model");
        // The other process blocks reading its training "image", a named pipe, while holding the model folder.
        var pipe = Path.Combine(temp.Path, "blocks.png");
        using (var mkfifo = Process.Start("mkfifo", pipe)) mkfifo.WaitForExit();
        var second = Directory.GetFiles(Path.Combine(Data, "synth_texture", "train", "good"))[0]; // fit needs two images
        using var other = StartCli(["fit", "--images", pipe, second, "--out", model, .. Model], out var otherError);
        try
        {
            var staging = Path.Combine(model, ResultFolder.Bookkeeping, "staging");
            var clock = Stopwatch.StartNew();
            while (!Directory.Exists(staging))
            {
                Assert.That(other.HasExited, Is.False, $"the other process ended early: {otherError}");
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMinutes(5)), "the other process never took the folder");
                Thread.Sleep(100);
            }

            var train = Path.Combine(Data, "synth_object", "train", "good");
            var (code, _, error) = CliRunner.Run(["fit", "--images", train, "--out", model, .. Model]);
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain($"{model} is in use"));

            other.Kill(); // SIGKILL: no clean-up runs; the OS drops the lock
            other.WaitForExit();
            Assert.That(Directory.Exists(staging), "the killed process left its staging folder");

            (code, _, error) = CliRunner.Run(["fit", "--images", train, "--out", model, .. Model]);
            Assert.That(code, Is.EqualTo(0), error);
            Assert.That(Directory.Exists(staging), Is.False, "cleared by the next writer");
            Assert.That(File.Exists(Path.Combine(model, "memory_bank.safetensors")));
        }
        finally
        {
            if (!other.HasExited) other.Kill();
        }
    }

    /// <summary>The CLI as a separate process: the uniformaly.dll copied beside the tests.</summary>
    private static Process StartCli(string[] args, out StringBuilder error)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add(Path.Combine(TestContext.CurrentContext.TestDirectory, "uniformaly.dll"));
        foreach (var arg in args) info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        var text = error = new StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (text) text.AppendLine(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    /// <summary>A kernel-size sweep named "mine" over the synthetic data.</summary>
    private static (int Code, string Out, string Error) Reproduce(string output, string neighbours)
    {
        var yaml = Path.Combine(output, "mine.yaml");
        File.WriteAllText(yaml, $"name: mine\ntitle: neighbours\nbackbone: dino_vitb8\nsweep: {{parameter: nn, values: {neighbours}}}\n" +
            "tasks:\n  - {name: synth, data: mvtec, metrics: [image_auroc]}\n");
        return CliRunner.Run(["reproduce", yaml, "--data-root", _root.Path, "--categories", "synth_object", "--out", output, "--no-cache", .. Reproduction.StandIns.TinyModel]);
    }

    /// <summary>Every file outside the toolkit's bookkeeping, with its bytes as hex.</summary>
    private static Dictionary<string, string> Snapshot(string path) =>
        Directory.GetFiles(path, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(path, f))
            .Where(f => !f.StartsWith(ResultFolder.Bookkeeping, StringComparison.Ordinal))
            .ToDictionary(f => f, f => Convert.ToHexString(File.ReadAllBytes(Path.Combine(path, f))));
}

using System.Text.Json;
using NUnit.Framework;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Tests.Parity;

namespace Uniformaly.Tests.Cli;

/// <summary>
/// `uniformaly synth`, `run`, `fit` and `predict` end to end on a small synthetic dataset with the
/// parity fixture's tiny ViT (fast on CPU), and their bad-input behaviour.
/// </summary>
public sealed class RunCommandTests
{
    private static TempFolder _data = null!;

    /// <summary>Tiny-ViT settings: 64 px images, 16 px patches, the checkpoint's three blocks.</summary>
    internal static readonly string[] Model =
        ["--checkpoint", ParityFixture.Checkpoint, "--layers", "1-3", "--resize", "64", "--imagesize", "64", "--kernel", "3", "--sampler-ratio", "0.5"];

    [OneTimeSetUp]
    public static void WriteDataset()
    {
        _data = new TempFolder();
        RunFixture.WriteRunData(_data.Path);
    }

    [OneTimeTearDown]
    public static void Delete() => _data.Dispose();

    [Test]
    public void Synth_WritesTheMvtecLayoutDeterministically()
    {
        using var again = new TempFolder();
        SyntheticDataset.Write(again.Path, new SyntheticDatasetOptions { TrainImages = 4, TestGoodImages = 3, TestImagesPerDefect = 1, Size = 64 });
        foreach (var file in Directory.GetFiles(_data.Path, "*.png", SearchOption.AllDirectories))
            Assert.That(File.ReadAllBytes(Path.Combine(again.Path, Path.GetRelativePath(_data.Path, file))), Is.EqualTo(File.ReadAllBytes(file)), file);
        Assert.That(Directory.GetFiles(Path.Combine(_data.Path, "synth_object", "ground_truth", "scratch")), Has.Length.EqualTo(1));
    }

    /// <summary>The run's bank sizes, scores and metrics are the reference pipeline's (tools/make_run_fixtures.py).</summary>
    [Test]
    [Category("Slow")]
    public void Run_WritesScoresMetricsSettingsAndMaps()
    {
        RunFixture.AssertSameData(_data.Path, RunFixture.Root.GetProperty("run"));
        using var output = new TempFolder();
        var (code, stdout, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", _data.Path, "--out", output.Path, "--save-maps", .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout, Does.Contain("| synth_object |").And.Contain("| synth_texture |").And.Contain("| mean |"));
        var csv = File.ReadAllLines(Path.Combine(output.Path, "scores.csv"));
        Assert.That(csv, Has.Length.EqualTo(1 + 2 * 6));
        Assert.That(csv.Skip(1).Select(l => l.Split(',')[0]).Distinct(), Is.EquivalentTo(new[] { "synth_object", "synth_texture" }));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "metrics.json")));
        foreach (var expected in RunFixture.Root.GetProperty("run").GetProperty("categories").EnumerateObject())
        {
            var ours = metrics.RootElement.GetProperty("categories").GetProperty(expected.Name);
            Assert.That(ours.GetProperty("train_images").GetInt32(), Is.EqualTo(4));
            Assert.That(ours.GetProperty("bank_size").GetInt64(), Is.EqualTo(expected.Value.GetProperty("bank_size").GetInt64()), $"{expected.Name} bank size");
            RunFixture.AssertScores(RunFixture.Scores(Path.Combine(output.Path, "scores.csv"), expected.Name), expected.Value, expected.Name);
            RunFixture.AssertMetrics(ours, expected.Value, 6 * 64 * 64, expected.Name);
        }
        var overall = metrics.RootElement.GetProperty("overall");
        foreach (var name in new[] { "image_auroc", "pixel_auroc", "aupro" })
            Assert.That(overall.GetProperty(name).GetDouble(), Is.EqualTo(new[] { "synth_object", "synth_texture" }
                .Average(c => metrics.RootElement.GetProperty("categories").GetProperty(c).GetProperty(name).GetDouble())), $"overall {name} is the mean");
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "settings.json")));
        Assert.That(settings.RootElement.GetProperty("layers").GetString(), Is.EqualTo("1-3"));
        Assert.That(settings.RootElement.GetProperty("about").GetProperty("uniformaly").GetString(), Is.EqualTo(Research.Common.ToolkitVersion.Text));
        Assert.That(Directory.GetFiles(Path.Combine(output.Path, "maps"), "*.png", SearchOption.AllDirectories), Has.Length.EqualTo(12));
        var curves = Path.Combine(output.Path, "curves");
        Visualization.FigureFiles.AssertReadable(Path.Combine(curves, "synth_texture_roc"), 560, 500,
            "synth_texture: ROC", "false positive rate", "true positive rate", "image (AUROC", "pixel (AUROC", "chance");
        Visualization.FigureFiles.AssertReadable(Path.Combine(curves, "synth_texture_pr"), 560, 500,
            "synth_texture: precision-recall", "recall", "precision", "image (AP", "pixel (AP");
        Assert.That(Directory.GetFiles(curves), Has.Length.EqualTo(2 * 2 * 2), "ROC and PR, PNG and SVG, per category");
    }

    [Test]
    [Category("Slow")]
    public void Run_MultiClassAndLowShot()
    {
        using var output = new TempFolder();
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", _data.Path, "--out", output.Path,
            "--multiclass", "--low-shot", "2", "--categories", "synth_object,synth_texture", .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "metrics.json")));
        var categories = metrics.RootElement.GetProperty("categories");
        Assert.That(categories.GetProperty("synth_object").GetProperty("train_images").GetInt32(), Is.EqualTo(4), "2 shots from each of 2 categories");
        Assert.That(categories.GetProperty("synth_texture").GetProperty("bank_size").GetInt64(),
            Is.EqualTo(categories.GetProperty("synth_object").GetProperty("bank_size").GetInt64()), "one shared bank");
    }

    [Test]
    [Category("Slow")]
    public void ConfigFile_SuppliesOptions_AndTheCommandLineWins()
    {
        using var output = new TempFolder();
        var config = Path.Combine(output.Path, "run.yaml");
        File.WriteAllText(config, $"dataset: folder\ndata-root: {_data.Path}\ncategories: [synth_texture]\nkernel: 5\nbpm: soft\n");
        var (code, _, error) = CliRunner.Run(["run", "--config", config, "--out", Path.Combine(output.Path, "r"), .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "r", "settings.json")));
        var root = settings.RootElement;
        Assert.That(root.GetProperty("kernel").GetInt32(), Is.EqualTo(3), "--kernel 3 on the command line beats kernel: 5");
        Assert.That(root.GetProperty("bpm").GetString(), Is.EqualTo("soft"), "from the file");
        Assert.That(root.GetProperty("categories").GetString(), Is.EqualTo("synth_texture"));
    }

    [Test]
    public void ConfigFile_WithAnUnknownKey_IsRejected()
    {
        using var output = new TempFolder();
        var config = Path.Combine(output.Path, "bad.yaml");
        File.WriteAllText(config, "colour: blue\n");
        var (code, _, error) = CliRunner.Run("run", "--config", config, "--data-root", _data.Path, "--out", output.Path);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain($"{config}: colour (line 1): 'colour' is not a setting of `uniformaly run`"));
    }

    [Test]
    [Category("Slow")]
    public void FitThenPredict_ScoresNewImagesAndWritesHeatmaps()
    {
        using var output = new TempFolder();
        var model = Path.Combine(output.Path, "model");
        var train = Path.Combine(_data.Path, "synth_texture", "train", "good");
        var (code, _, error) = CliRunner.Run(["fit", "--images", train, "--out", model, .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(File.Exists(Path.Combine(model, "settings.json")) && File.Exists(Path.Combine(model, "memory_bank.safetensors")));

        var test = Path.Combine(_data.Path, "synth_texture", "test");
        var csv = Path.Combine(output.Path, "scores.csv");
        var heatmaps = Path.Combine(output.Path, "heatmaps");
        (code, var stdout, error) = CliRunner.Run("predict", "--model", model, "--images", Path.Combine(test, "good"), Path.Combine(test, "hole"),
            "--out", csv, "--heatmaps", heatmaps);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(File.ReadAllLines(csv), Has.Length.EqualTo(1 + 4));
        Assert.That(stdout, Does.Contain($"scored 4 images").And.Contain(csv));
        Assert.That(Directory.GetFiles(heatmaps, "*.heatmap.png", SearchOption.AllDirectories), Has.Length.EqualTo(4), "good/000 and hole/000 do not collide");
        Assert.That(File.Exists(Path.Combine(heatmaps, "hole", "000.png.heatmap.png")));
    }

    [Test]
    public void UnreadableImage_FailsNamingIt_OrIsSkippedWithAWarning()
    {
        using var copy = new TempFolder();
        CopyDirectory(Path.Combine(_data.Path, "synth_texture"), Path.Combine(copy.Path, "synth_texture"));
        var broken = Path.Combine(copy.Path, "synth_texture", "test", "good", "001.png");
        File.WriteAllBytes(broken, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        using var output = new TempFolder();
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", copy.Path, "--out", output.Path, .. Model]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("001.png"));
        Assert.That(File.Exists(Path.Combine(output.Path, "metrics.json")), Is.False, "a failed run leaves no result files");

        (code, _, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", copy.Path, "--out", output.Path, "--skip-bad-images", .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(error, Does.Contain("warning: skipped synth_texture/test/good/001.png"));
        Assert.That(File.ReadAllLines(Path.Combine(output.Path, "scores.csv")), Has.Length.EqualTo(1 + 5));
    }

    [Test]
    [Category("Slow")]
    public void MaskOfAnotherSize_IsAnErrorNamingBothFiles()
    {
        using var copy = new TempFolder();
        CopyDirectory(Path.Combine(_data.Path, "synth_object"), Path.Combine(copy.Path, "synth_object"));
        var mask = Path.Combine(copy.Path, "synth_object", "ground_truth", "hole", "000_mask.png");
        Research.Imaging.PngWriter.SaveGray(mask, 32, 32, new byte[32 * 32]);
        using var output = new TempFolder();
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", copy.Path, "--out", output.Path, .. Model]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("000_mask.png").And.Contain("000.png"));
    }

    [TestCase("--topk", "1.5", "--topk: '1.5' is not a number in (0, 1]")]
    [TestCase("--kernel", "4", "--kernel: '4' is not an odd whole number from 1 to 99")]
    [TestCase("--sampler", "magic", "--sampler: 'magic' is not one of identity, random or coreset")]
    [TestCase("--knn-precision", "int8", "--knn-precision: 'int8' is not float32 or bf16")]
    [TestCase("--backbone-precision", "fp16", "--backbone-precision: 'fp16' is not float32 or bf16")]
    [TestCase("--layers", "2-9", "--layers: blocks 4-9 do not exist: the backbone has 3 blocks, numbered 1-3 (ViT D=128 depth=3")]
    [TestCase("--nn", "100000", "--nn: 100000 neighbours, but the memory bank holds at most 32 patches (4 training images x 16 patches x sampler-ratio 0.5); give at most 32")]
    [TestCase("--imagesize", "80", "--imagesize: 80 is larger than the resized image (--resize: 64); the crop is cut from it")]
    public void BadOptions_AreNamed(string option, string value, string message)
    {
        using var output = new TempFolder();
        var args = Model.ToList();
        var at = args.IndexOf(option);
        if (at >= 0) args.RemoveRange(at, 2);
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", _data.Path, "--out", output.Path, .. args, option, value]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain($"error: {message}").And.EndWith("\nRun 'uniformaly run --help' for the options.\n"), "the error, then where the options are described");
        Assert.That(File.Exists(Path.Combine(output.Path, "metrics.json")), Is.False);
    }

    [Test]
    public void MissingDataRoot_IsNamed()
    {
        using var output = new TempFolder();
        var missing = Path.Combine(output.Path, "no", "such", "data");
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", missing, "--out", Path.Combine(output.Path, "out"), .. Model]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain(missing));
    }

    [Test]
    public void CudaWithoutCuda_IsAClearError()
    {
        Cuda.RequireAbsent();
        using var output = new TempFolder();
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", _data.Path, "--out", output.Path, "--device", "cuda", .. Model]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("CUDA is not available"));
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}

/// <summary>`uniformaly cluster` end to end on the synthetic dataset, against the reference pipeline's
/// clusters (tools/make_run_fixtures.py: the same features, sklearn's Lloyd from k-means++ seeds drawn
/// with the toolkit's seeded generator).</summary>
public sealed class ClusterCommandTests
{
    internal static readonly string[] Model =
        ["--checkpoint", ParityFixture.Checkpoint, "--layers", "1-3", "--resize", "64", "--imagesize", "64", "--kernel", "3", "--sampler", "identity"];

    [TestCase("topk")]
    [TestCase("max")]
    [TestCase("all")]
    [Category("Slow")]
    public void Cluster_WritesClustersMetricsAndScatterPlots(string selector)
    {
        using var data = new TempFolder();
        using var output = new TempFolder();
        var (code, stdout, error) = CliRunner.Run(["synth", "--out", data.Path, .. RunFixture.SynthArgs("cluster")]);
        Assert.That(code, Is.EqualTo(0), error);
        RunFixture.AssertSameData(data.Path, RunFixture.Root.GetProperty("cluster"));
        (code, stdout, error) = CliRunner.Run(["cluster", "--dataset", "folder", "--data-root", data.Path, "--selector", selector, "--out", output.Path, .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout, Does.Contain("| synth_object | 4 |"), "good, hole, scratch and stain: k = 4");
        var rows = File.ReadAllLines(Path.Combine(output.Path, "clusters.csv"));
        Assert.That(rows, Has.Length.EqualTo(1 + 2 * 8));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "clustering.json")));
        var expected = RunFixture.Root.GetProperty("cluster").GetProperty("selectors").GetProperty(selector);
        foreach (var category in expected.EnumerateObject())
        {
            var ours = json.RootElement.GetProperty("categories").GetProperty(category.Name);
            Assert.That(ours.GetProperty("k").GetInt32(), Is.EqualTo(category.Value.GetProperty("k").GetInt32()));
            foreach (var metric in new[] { "nmi", "ari", "f1" })
                NumericAssert.Close(ours.GetProperty(metric).GetDouble(), category.Value.GetProperty(metric).GetDouble(),
                    Tolerances.Float64Metric(8), $"{category.Name} {metric}");
        }
        var mean = json.RootElement.GetProperty("mean");
        foreach (var metric in new[] { "nmi", "ari", "f1" })
            NumericAssert.Close(mean.GetProperty(metric).GetDouble(), expected.EnumerateObject().Average(c => c.Value.GetProperty(metric).GetDouble()),
                Tolerances.Float64Metric(8), $"mean {metric}");
        Visualization.FigureFiles.AssertReadable(Path.Combine(output.Path, "synth_texture_clusters"), 720, 520,
            "synth_texture: 4 clusters (NMI", "principal component 1", "cluster 3", "good", "hole", "scratch", "stain");
    }

    [Test]
    [Category("Slow")]
    public void MoreClustersThanImages_IsAClearError()
    {
        using var data = new TempFolder();
        SyntheticDataset.Write(data.Path, new SyntheticDatasetOptions { Categories = ["synth_object"], TrainImages = 2, TestGoodImages = 1, TestImagesPerDefect = 1, Size = 64 });
        using var output = new TempFolder();
        var (code, _, error) = CliRunner.Run(["cluster", "--dataset", "folder", "--data-root", data.Path, "--clusters", "9", "--out", output.Path, .. Model]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("k = 9 clusters but only 4 images"));
    }
}

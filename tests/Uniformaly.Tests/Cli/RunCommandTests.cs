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
    private static readonly string[] Model =
        ["--checkpoint", ParityFixture.Checkpoint, "--layers", "1-3", "--resize", "64", "--imagesize", "64", "--kernel", "3", "--sampler-ratio", "0.5"];

    [OneTimeSetUp]
    public static void WriteDataset()
    {
        _data = new TempFolder();
        var (code, _, error) = CliRunner.Run("synth", "--out", _data.Path, "--train", "4", "--test-good", "3", "--per-defect", "1", "--size", "64");
        Assert.That(code, Is.EqualTo(0), error);
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

    [Test]
    public void Run_WritesScoresMetricsSettingsAndMaps()
    {
        using var output = new TempFolder();
        var (code, stdout, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", _data.Path, "--out", output.Path, "--save-maps", .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout, Does.Contain("| synth_object |").And.Contain("| synth_texture |").And.Contain("| mean |"));
        var csv = File.ReadAllLines(Path.Combine(output.Path, "scores.csv"));
        Assert.That(csv, Has.Length.EqualTo(1 + 2 * 6));
        Assert.That(csv.Skip(1).Select(l => l.Split(',')[0]).Distinct(), Is.EquivalentTo(new[] { "synth_object", "synth_texture" }));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "metrics.json")));
        var overall = metrics.RootElement.GetProperty("overall");
        Assert.That(overall.GetProperty("image_auroc").GetDouble(), Is.InRange(0.0, 1.0));
        Assert.That(overall.GetProperty("aupro").GetDouble(), Is.InRange(0.0, 1.0));
        var obj = metrics.RootElement.GetProperty("categories").GetProperty("synth_object");
        Assert.That(obj.GetProperty("train_images").GetInt32(), Is.EqualTo(4));
        Assert.That(obj.GetProperty("bank_size").GetInt64(), Is.InRange(1, 4 * 16 / 2), "at most half of 4 images x 16 patches (BPM drops some)");
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "settings.json")));
        Assert.That(settings.RootElement.GetProperty("detector").GetProperty("layers").GetArrayLength(), Is.EqualTo(3));
        Assert.That(Directory.GetFiles(Path.Combine(output.Path, "maps"), "*.png", SearchOption.AllDirectories), Has.Length.EqualTo(12));
    }

    [Test]
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
    public void ConfigFile_SuppliesOptions_AndTheCommandLineWins()
    {
        using var output = new TempFolder();
        var config = Path.Combine(output.Path, "run.yaml");
        File.WriteAllText(config, $"dataset: folder\ndata-root: {_data.Path}\ncategories: [synth_texture]\nkernel: 5\nsoft: true\n");
        var (code, _, error) = CliRunner.Run(["run", "--config", config, "--out", Path.Combine(output.Path, "r"), .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "r", "settings.json")));
        var detector = settings.RootElement.GetProperty("detector");
        Assert.That(detector.GetProperty("kernel").GetInt32(), Is.EqualTo(3), "--kernel 3 on the command line beats kernel: 5");
        Assert.That(detector.GetProperty("masking").GetString(), Is.EqualTo("Soft"), "from the file");
        Assert.That(settings.RootElement.GetProperty("categories").GetString(), Is.EqualTo("synth_texture"));
    }

    [Test]
    public void ConfigFile_WithAnUnknownKey_IsRejected()
    {
        using var output = new TempFolder();
        var config = Path.Combine(output.Path, "bad.yaml");
        File.WriteAllText(config, "colour: blue\n");
        var (code, _, error) = CliRunner.Run("run", "--config", config, "--data-root", _data.Path, "--out", output.Path);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("unknown setting 'colour'").And.Contain(config));
    }

    [Test]
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
        Assert.That(stdout, Does.Contain("000.png"));
        Assert.That(Directory.GetFiles(heatmaps, "*_heatmap.png", SearchOption.AllDirectories), Has.Length.EqualTo(4), "good/000 and hole/000 do not collide");
        Assert.That(File.Exists(Path.Combine(heatmaps, "hole", "000_heatmap.png")));
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

    [TestCase("--topk", "1.5", "--topk must be in (0, 1]")]
    [TestCase("--kernel", "4", "--kernel must be odd")]
    [TestCase("--sampler", "magic", "unknown sampler 'magic'")]
    [TestCase("--knn-precision", "int8", "--knn-precision must be float32 or bf16, got 'int8'")]
    [TestCase("--backbone-precision", "fp16", "--backbone-precision must be float32 or bf16, got 'fp16'")]
    [TestCase("--layers", "2-9", "--layers: 4,5,6,7,8,9 outside 1..3")]
    public void BadOptions_AreNamed(string option, string value, string message)
    {
        using var output = new TempFolder();
        var args = Model.ToList();
        var at = args.IndexOf(option);
        if (at >= 0) args.RemoveRange(at, 2);
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", _data.Path, "--out", output.Path, .. args, option, value]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain(message));
    }

    [Test]
    public void MissingDataRoot_IsNamed()
    {
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", "/no/such/data", "--out", "/tmp/x", .. Model]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("/no/such/data"));
    }

    [Test]
    public void CudaWithoutCuda_IsAClearError()
    {
        if (Research.Torch.TorchRuntime.CudaIsAvailable) Assert.Pass("this machine has CUDA; covered by the GPU runs");
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", _data.Path, "--out", "/tmp/x", "--device", "cuda", .. Model]);
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

/// <summary>`uniformaly cluster` end to end on the synthetic dataset.</summary>
public sealed class ClusterCommandTests
{
    private static readonly string[] Model =
        ["--checkpoint", ParityFixture.Checkpoint, "--layers", "1-3", "--resize", "64", "--imagesize", "64", "--kernel", "3", "--sampler", "identity"];

    [TestCase("topk")]
    [TestCase("max")]
    [TestCase("all")]
    public void Cluster_WritesClustersMetricsAndScatterPlots(string selector)
    {
        using var data = new TempFolder();
        using var output = new TempFolder();
        SyntheticDataset.Write(data.Path, new SyntheticDatasetOptions { TrainImages = 3, TestGoodImages = 2, TestImagesPerDefect = 2, Size = 64 });
        var (code, stdout, error) = CliRunner.Run(["cluster", "--dataset", "folder", "--data-root", data.Path, "--selector", selector, "--out", output.Path, .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout, Does.Contain("| synth_object | 4 |"), "good, hole, scratch and stain: k = 4");
        var rows = File.ReadAllLines(Path.Combine(output.Path, "clusters.csv"));
        Assert.That(rows, Has.Length.EqualTo(1 + 2 * 8));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "clustering.json")));
        var mean = json.RootElement.GetProperty("mean");
        Assert.That(mean.GetProperty("nmi").GetDouble(), Is.InRange(0.0, 1.0));
        Assert.That(mean.GetProperty("f1").GetDouble(), Is.InRange(0.25, 1.0));
        var svg = System.Xml.Linq.XDocument.Load(Path.Combine(output.Path, "synth_texture_clusters.svg"));
        Assert.That(svg.Descendants("{http://www.w3.org/2000/svg}circle").Count(), Is.EqualTo(8 + 4));
    }

    [Test]
    public void MoreClustersThanImages_IsAClearError()
    {
        using var data = new TempFolder();
        SyntheticDataset.Write(data.Path, new SyntheticDatasetOptions { Categories = ["synth_object"], TrainImages = 2, TestGoodImages = 1, TestImagesPerDefect = 1, Size = 64 });
        var (code, _, error) = CliRunner.Run(["cluster", "--dataset", "folder", "--data-root", data.Path, "--clusters", "9", "--out", "/tmp/unused", .. Model]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("k = 9 clusters but only 4 images"));
    }
}

using System.Text.Json;
using NUnit.Framework;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Tests.Parity;

namespace Uniformaly.Tests.Cli;

/// <summary>The semantic protocols of `uniformaly run` end to end on synthetic CIFAR and ImageFolder
/// stand-ins; the CIFAR runs against the reference pipeline (tools/make_run_fixtures.py).</summary>
public sealed class SemanticRunTests
{
    private static readonly string[] Model = ["--checkpoint", ParityFixture.Checkpoint, "--layers", "1-3", "--kernel", "3", "--sampler", "identity"];

    [TestCase("cifar10", "3", 1)]
    [TestCase("cifar10", "0,1,2,3,4", 5)]
    [TestCase("cifar100", "7", 1)]
    [Category("Slow")]
    public void Cifar_OneClassAndMultiClass(string dataset, string normal, int normalClasses) =>
        RunCifar(dataset, normal, normalClasses, lowShot: null);

    [Test]
    [Category("Slow")]
    public void Cifar_LowShot_DrawsThatManyTrainingImages() => RunCifar("cifar10", "0,1,2,3,4", 5, lowShot: 3);

    private static void RunCifar(string dataset, string normal, int normalClasses, int? lowShot)
    {
        using var root = new TempFolder();
        using var output = new TempFolder();
        SyntheticSemantic.WriteCifar(root.Path, dataset == "cifar100", trainPerClass: 1, testPerClass: 2);
        string[] shots = lowShot is { } n ? ["--low-shot", n.ToString(System.Globalization.CultureInfo.InvariantCulture)] : [];
        var fixture = RunFixture.Root.GetProperty("semantic").GetProperty(dataset);
        RunFixture.AssertSameData(root.Path, fixture);
        var (code, stdout, error) = CliRunner.Run(["run", "--dataset", dataset, "--data-root", root.Path, "--normal", normal,
            "--out", output.Path, "--batch-size", "16", .. shots, .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "metrics.json")));
        var (name, category) = metrics.RootElement.GetProperty("categories").EnumerateObject().Select(p => (p.Name, p.Value)).Single();
        var trainImages = dataset == "cifar100" ? 1 : 5; // CIFAR-10 has 5 training batches
        Assert.That(category.GetProperty("train_images").GetInt32(), Is.EqualTo(lowShot ?? normalClasses * trainImages));
        var expected = fixture.GetProperty(normal + (lowShot is { } shotCount ? $"|low-shot {shotCount}" : ""));
        Assert.That(category.GetProperty("bank_size").GetInt64(), Is.EqualTo(expected.GetProperty("bank_size").GetInt64()), "bank size");
        RunFixture.AssertScores(RunFixture.Scores(Path.Combine(output.Path, "scores.csv"), name), expected, name);
        RunFixture.AssertMetrics(category, expected, (dataset == "cifar100" ? 20 : 10) * 2, name);
        Assert.That(category.GetProperty("pixel_auroc").ValueKind, Is.EqualTo(JsonValueKind.Null), "no masks in semantic datasets");
        var rows = File.ReadAllLines(Path.Combine(output.Path, "scores.csv")).Skip(1).ToList();
        Assert.That(rows, Has.Count.EqualTo((dataset == "cifar100" ? 20 : 10) * 2));
        Assert.That(rows.Count(r => r.Split(',')[3] == "0"), Is.EqualTo(normalClasses * 2));
        Assert.That(stdout, Does.Contain("normal"));
        var roc = Directory.GetFiles(Path.Combine(output.Path, "curves"), "*_roc.svg").Single();
        var svg = File.ReadAllText(roc);
        Assert.That(svg, Does.Contain("image (AUROC").And.Not.Contain("pixel (AUROC"), "image level only without masks");
    }

    [Test]
    [Category("Slow")]
    public void ImageFolder_Species60Split()
    {
        using var root = new TempFolder();
        using var output = new TempFolder();
        SyntheticSemantic.WriteImageFolder(root.Path, classes: 60, trainPerClass: 1, testPerClass: 1);
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "imagefolder", "--data-root", root.Path, "--normal-split", "A",
            "--resize", "64", "--imagesize", "64", "--out", output.Path, "--batch-size", "32", .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        var rows = File.ReadAllLines(Path.Combine(output.Path, "scores.csv")).Skip(1).ToList();
        Assert.That(rows.Count(r => r.Split(',')[3] == "0"), Is.EqualTo(30), "split A has 30 normal classes");
        Assert.That(rows.Single(r => r.Split(',')[1].Contains("/class_40/")).Split(',')[3], Is.EqualTo("0"), "class 40 is in split A");
    }

    [TestCase("--normal", "11", "out of range")]
    [TestCase("--normal", "unicorn", "unknown class 'unicorn'")]
    [TestCase("--normal", "0,1,2,3,4,5,6,7,8,9", "all 10 classes are normal")]
    [TestCase("--normal-split", "F", "unknown split 'F'")]
    public void BadNormalSelections_AreNamed(string option, string value, string message)
    {
        using var root = new TempFolder();
        using var output = new TempFolder();
        SyntheticSemantic.WriteCifar(root.Path, cifar100: false, trainPerClass: 1, testPerClass: 1);
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "cifar10", "--data-root", root.Path, option, value, "--out", output.Path, .. Model]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain(message));
    }

    [Test]
    public void TruncatedCifarFile_IsNamed()
    {
        using var root = new TempFolder();
        using var output = new TempFolder();
        SyntheticSemantic.WriteCifar(root.Path, cifar100: false, trainPerClass: 1, testPerClass: 1);
        var test = Path.Combine(root.Path, "cifar-10-batches-bin", "test_batch.bin");
        File.WriteAllBytes(test, File.ReadAllBytes(test)[..5000]);
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "cifar10", "--data-root", root.Path, "--normal", "1", "--out", output.Path, .. Model]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("test_batch.bin").And.Contain("truncated"));
    }

    [Test]
    public void SemanticDatasetWithoutNormal_IsAnError()
    {
        using var root = new TempFolder();
        using var output = new TempFolder();
        SyntheticSemantic.WriteCifar(root.Path, cifar100: false, trainPerClass: 1, testPerClass: 1);
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "cifar10", "--data-root", root.Path, "--out", output.Path, .. Model]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("--normal"));
    }
}

using System.Text.Json;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Tests.Parity;

namespace Uniformaly.Tests.Cli;

/// <summary>
/// Each class of error in the user's words: a usage error (exit 2) is one line naming the option,
/// or the file and key, and what is accepted, then one line pointing to --help; a failure while
/// working exits 1; checks that need only the settings and the architecture come before any work.
/// </summary>
public sealed class UsageErrorTests
{
    private static TempFolder _data = null!;

    private static readonly string[] Model =
        ["--checkpoint", ParityFixture.Checkpoint, "--layers", "1-3", "--resize", "64", "--imagesize", "64", "--kernel", "3", "--sampler-ratio", "0.5"];

    [OneTimeSetUp]
    public static void WriteDataset()
    {
        _data = new TempFolder();
        SyntheticDataset.Write(_data.Path, new SyntheticDatasetOptions { Categories = ["synth_texture"], TrainImages = 2, TestGoodImages = 1, TestImagesPerDefect = 1, Size = 64 });
    }

    [OneTimeTearDown]
    public static void Delete() => _data.Dispose();

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [TestCase(new[] { "run", "--threads", "0" }, "--threads: '0' is not a whole number from 1 to 1024", "run")]
    [TestCase(new[] { "run", "--topk", "abc" }, "--topk: 'abc' is not a number in (0, 1]", "run")]
    [TestCase(new[] { "run", "--dataset", "mvtecc" }, "--dataset: 'mvtecc' is not one of mvtec, btad, folder, cifar10, cifar100 or imagefolder", "run")]
    [TestCase(new[] { "run", "--colour", "blue" }, "Unrecognized command or argument '--colour'", "run")]
    [TestCase(new[] { "run" }, "--data-root is required (on the command line or in the --config file)", "run")]
    [TestCase(new[] { "bench", "knn", "--nn", "0" }, "--nn: '0' is not a whole number from 1 to 2147483647", "bench knn")]
    [TestCase(new[] { "synth", "--out", "x", "--categories", "synth_blob" }, "--categories: 'synth_blob' is not a comma list of synth_texture or synth_object", "synth")]
    public void AUsageError_IsOneLineAndAPointerToHelp(string[] args, string message, string command)
    {
        var (code, stdout, error) = CliRunner.Run(args);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(Lines(error)[0], Does.StartWith($"error: {message}"));
        Assert.That(Lines(error)[^1], Is.EqualTo($"Run 'uniformaly {command} --help' for the options."));
        Assert.That(Lines(error), Has.Length.LessThanOrEqualTo(3), "no page of help");
        Assert.That(stdout, Is.Empty);
        Assert.That(error, Does.Not.Match("System\\.|Parameter '"));
    }

    [Test]
    public void AFailureWhileWorking_ExitsOneWithoutTheHelpPointer()
    {
        using var output = new TempFolder();
        var missing = Path.Combine(output.Path, "nowhere");
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", missing, "--out", Path.Combine(output.Path, "o"), .. Model]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain(missing).And.Not.Contain("--help"));
    }

    [Test]
    public void AConfigFilesBadValue_NamesTheFileKeyAndLine()
    {
        using var output = new TempFolder();
        var config = Path.Combine(output.Path, "run.yaml");
        File.WriteAllText(config, $"dataset: folder\ndata-root: {_data.Path}\nkernel: 8\n");
        var (code, _, error) = CliRunner.Run(["run", "--config", config, "--out", Path.Combine(output.Path, "o")]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(Lines(error)[0], Is.EqualTo($"error: {config}: kernel (line 3): '8' is not an odd whole number from 1 to 99"));
    }

    [Test]
    public void ASettingThatDoesNotFitAnother_NamesBothWhereTheyCameFrom()
    {
        using var output = new TempFolder();
        var config = Path.Combine(output.Path, "run.yaml");
        File.WriteAllText(config, "imagesize: 300\n");
        var (code, _, error) = CliRunner.Run(["run", "--config", config, "--dataset", "folder", "--data-root", _data.Path, "--out", output.Path]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(Lines(error)[0], Is.EqualTo($"error: {config}: imagesize (line 1): 300 is larger than the resized image (--resize: 256); the crop is cut from it"));
    }

    /// <summary>The layers are checked against the architecture a backbone's name gives, before its file is
    /// looked for: the weights folder here is empty, and the error is about the layers.</summary>
    [Test]
    public void LayersBeyondTheBackbone_AreRefusedBeforeItsWeightsAreLoaded()
    {
        using var empty = new TempFolder();
        var (code, _, error) = CliRunner.Run("run", "--dataset", "folder", "--data-root", _data.Path, "--out", Path.Combine(empty.Path, "o"),
            "--backbone", "dino_vits16", "--weights", empty.Path, "--layers", "3-99");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(Lines(error)[0], Does.StartWith("error: --layers: blocks 13-99 do not exist: the backbone has 12 blocks, numbered 1-12"),
            "a range, not 87 numbers");
    }

    /// <summary>--nn beyond what the bank can hold is refused before a training image is read.</summary>
    [Test]
    public void TooManyNeighbours_AreRefusedBeforeAnyImageIsRead()
    {
        using var output = new TempFolder();
        var (code, _, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", _data.Path, "--out", output.Path, .. Model, "--nn", "100"]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--nn: 100 neighbours, but the memory bank holds at most 16 patches (2 training images x 16 patches x sampler-ratio 0.5)")
            .And.Not.Contain("training features"));
    }

    /// <summary>An option typed after a multi-value option is an option; a mistyped one is named, not taken for a file.</summary>
    [Test]
    public void AMistypedOptionAfterImages_IsNamedWithTheNearestOne()
    {
        var images = Path.Combine(_data.Path, "synth_texture", "test", "good");
        var (code, _, error) = CliRunner.Run("predict", "--model", _data.Path, "--images", images, images, "--heatmap", "h");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(Lines(error)[0], Does.StartWith("error: --images: '--heatmap' is not an option of `uniformaly predict`; did you mean --heatmaps?"));
    }

    [Test]
    public void TheVersion_IsOneStringWithTheCommit_Everywhere()
    {
        var (code, version, _) = CliRunner.Run("--version");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(version.Trim(), Is.EqualTo(ToolkitVersion.Text));
        Assert.That(ToolkitVersion.Text, Does.Match("^[0-9]+\\.[0-9]+\\.[0-9]+\\+[0-9a-f]{7,40}"), "the commit it was built from");
        (code, var info, _) = CliRunner.Run("info");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(Lines(info)[0], Is.EqualTo($"uniformaly {ToolkitVersion.Text}"));
        using var output = new TempFolder();
        (code, _, var error) = CliRunner.Run(["fit", "--images", Path.Combine(_data.Path, "synth_texture", "train", "good"), "--out", output.Path, .. Model]);
        Assert.That(code, Is.EqualTo(0), error);
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "settings.json")));
        Assert.That(settings.RootElement.GetProperty("about").GetProperty("uniformaly").GetString(), Is.EqualTo(ToolkitVersion.Text));
    }
}

using NUnit.Framework;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Torch;
using Uniformaly.Tests.Models;

namespace Uniformaly.Tests.Cli;

[TestFixture]
public sealed class FeaturesCommandTests
{
    private static string Image => TestSetup.Fixture("vit", "features_image.png");

    private static (int ExitCode, string Out, string Error) Features(string output, params string[] extra) =>
        CliRunner.Run(["features", "--image", Image, "--out", output, .. extra]);

    [Test]
    [Category("Slow")]
    public void Features_WritesEveryStageOfTheReferencePipeline() => AssertWritesTheReference("cpu");

    [Test]
    [Category("Slow")]
    public void Features_OnCuda_WritesEveryStageOfTheReferencePipeline()
    {
        Cuda.Require();
        AssertWritesTheReference("cuda");
    }

    private static void AssertWritesTheReference(string device)
    {
        using var folder = new TempFolder();
        var output = Path.Combine(folder.Path, "out", "features.safetensors");
        var (code, stdout, stderr) = Features(output, "--checkpoint", VitFixtures.ModelA, "--layers", "2-4",
            "--kernel", "3", "--threshold", "0.1", "--resize", "64", "--imagesize", "64", "--device", device);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("layers 2-4"));

        using var written = SafeTensors.Read(output);
        using var reference = SafeTensors.Read(TestSetup.Fixture("vit", "features_reference.safetensors"));
        Assert.That(written.Keys, Is.EquivalentTo(reference.Keys));
        Assert.That(written.Values.Select(t => t.DType), Is.All.EqualTo(DType.Float32));
        foreach (var name in reference.Keys.Where(k => k != "bpm_mask"))
            VitFixtures.AssertClose(written[name], reference[name], name);
        VitFixtures.AssertMask(written["bpm_mask"], reference["bpm_mask"], reference["bpm_smoothed"], 0.1, Tolerances.Vit, "bpm_mask");
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(output)!), Has.Length.EqualTo(1), "no temporary file is left");
    }

    [TestCase("--kernel", "4", "--kernel")]
    [TestCase("--threshold", "1", "--threshold")]
    [TestCase("--threshold", "-0.5", "--threshold")]
    [TestCase("--layers", "0-3", "--layers")]
    [TestCase("--layers", "2-9", "outside 1..4")]
    [TestCase("--attention-layer", "7", "--attention-layer")]
    public void Features_RejectsBadSettingsWithAMessageNamingThem(string option, string value, string expected)
    {
        using var folder = new TempFolder();
        var output = Path.Combine(folder.Path, "features.safetensors");
        string[] layers = option == "--layers" ? [] : ["--layers", "2-4"];
        var (code, _, stderr) = Features(output, ["--checkpoint", VitFixtures.ModelA, "--resize", "64", "--imagesize", "64", .. layers, option, value]);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain(expected));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void Features_NeedsExactlyOneBackboneSource()
    {
        using var folder = new TempFolder();
        var output = Path.Combine(folder.Path, "features.safetensors");
        var (code, _, stderr) = Features(output, "--checkpoint", VitFixtures.ModelA, "--backbone", "dino_vitb8");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("exactly one of --backbone and --checkpoint"));
    }

    [Test]
    public void Features_AMissingBackboneFileNamesThePathAndTheUrl()
    {
        using var folder = new TempFolder();
        var (code, _, stderr) = Features(Path.Combine(folder.Path, "f.safetensors"), "--backbone", "dino_vitb8", "--weights", folder.Path);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain(Path.Combine(folder.Path, "dino_vitbase8_pretrain.pth"))
            .And.Contain("https://dl.fbaipublicfiles.com/dino/dino_vitbase8_pretrain/dino_vitbase8_pretrain.pth"));
    }

    [Test]
    public void Features_OnCudaWithoutCudaSaysSo()
    {
        Cuda.RequireAbsent();
        using var folder = new TempFolder();
        var output = Path.Combine(folder.Path, "features.safetensors");
        var (code, _, stderr) = Features(output, "--checkpoint", VitFixtures.ModelA, "--layers", "2-4",
            "--resize", "64", "--imagesize", "64", "--device", "cuda");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain("CUDA is not available"));
    }

    [Test]
    public void Features_AMissingImageIsNamed()
    {
        using var folder = new TempFolder();
        var missing = Path.Combine(folder.Path, "nope.png");
        var (code, _, stderr) = CliRunner.Run("features", "--image", missing, "--checkpoint", VitFixtures.ModelA,
            "--layers", "2-4", "--out", Path.Combine(folder.Path, "f.safetensors"));
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stderr, Does.Contain(missing));
    }
}

using NUnit.Framework;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Features;
using Uniformaly.Research.Models;
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

    [TestCase("--kernel", "4", "--kernel: '4' is not an odd whole number")]
    [TestCase("--threshold", "1", "--threshold: '1' is not a number in [0, 1)")]
    [TestCase("--threshold", "-0.5", "--threshold: '-0.5' is not a number in [0, 1)")]
    [TestCase("--layers", "0-3", "--layers: '0-3' is not 1-based block numbers")]
    [TestCase("--layers", "2-9", "--layers: blocks 5-9 do not exist: the backbone has 4 blocks, numbered 1-4")]
    [TestCase("--attention-layer", "7", "--attention-layer: block 7 does not exist: the backbone has 4 blocks")]
    public void Features_RejectsBadSettingsWithAMessageNamingThem(string option, string value, string expected)
    {
        using var folder = new TempFolder();
        var output = Path.Combine(folder.Path, "features.safetensors");
        string[] layers = option == "--layers" ? [] : ["--layers", "2-4"];
        var (code, _, stderr) = Features(output, ["--checkpoint", VitFixtures.ModelA, "--resize", "64", "--imagesize", "64", .. layers, option, value]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(expected));
        Assert.That(File.Exists(output), Is.False);
    }

    [Test]
    public void Features_NeedsExactlyOneBackboneSource()
    {
        using var folder = new TempFolder();
        var output = Path.Combine(folder.Path, "features.safetensors");
        var (code, _, stderr) = Features(output, "--checkpoint", VitFixtures.ModelA, "--backbone", "dino_vitb8");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--backbone and --checkpoint exclude each other"));
    }

    /// <summary>random_* backbones work here as everywhere: the architecture with seeded random weights.</summary>
    [Test]
    public void Features_TakesARandomBackbone()
    {
        using var folder = new TempFolder();
        var output = Path.Combine(folder.Path, "features.safetensors");
        var (code, stdout, stderr) = Features(output, "--backbone", "random_vits16", "--layers", "1-2", "--resize", "32", "--imagesize", "32");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("layers 1-2").And.Contain("4 patches"));
        using var written = SafeTensors.Read(output);
        Assert.That(written["patch_features"].Shape, Is.EqualTo(new long[] { 4, 384 }));
    }

    /// <summary>An official-layout DINOv2 or DINOv3 file loads by --checkpoint alone (the architecture
    /// inferred from its tensors) and gives the same named tensors as DINO: block_l with every token,
    /// patch features and CLS attention over the patches only, which are what the model computes from
    /// the written input (their parity with the official code: OfficialDinov2Dinov3Tests).</summary>
    [TestCase("dinov2_s_reg.pth", 5, 8)]
    [TestCase("dinov2_g.pth", 1, 8)]
    [TestCase("dinov3_s.pth", 5, 7)]
    [TestCase("dinov3_splus.pth", 5, 7)]
    [Category("Slow")]
    public void Features_LoadsAnOfficialDinov2OrDinov3FileByCheckpointAlone(string file, int prefix, int side)
    {
        using var folder = new TempFolder();
        var output = Path.Combine(folder.Path, "features.safetensors");
        var checkpoint = TestSetup.Fixture("dinov2_dinov3", file);
        var (code, _, stderr) = Features(output, "--checkpoint", checkpoint, "--layers", "1", "--attention-layer", "1",
            "--resize", "112", "--imagesize", "112");
        Assert.That(code, Is.EqualTo(0), stderr);
        using var written = SafeTensors.Read(output);
        using var dino = SafeTensors.Read(TestSetup.Fixture("vit", "features_reference.safetensors"));
        Assert.That(written.Keys.Select(k => k.StartsWith("block_", StringComparison.Ordinal) ? "block_l" : k),
            Is.EquivalentTo(dino.Keys.Where(k => k != "block_3" && k != "block_4").Select(k => k.StartsWith("block_", StringComparison.Ordinal) ? "block_l" : k)));
        var patches = side * side;
        Assert.That(written["block_1"].Shape, Is.EqualTo(new long[] { prefix + patches, 64 }));
        Assert.That(written["patch_features"].Shape, Is.EqualTo(new long[] { patches, 64 }));
        Assert.That(written["cls_attention"].Shape, Is.EqualTo(new long[] { patches }));

        using var model = VisionTransformer.Load(checkpoint);
        using var image = written["input"].Unsqueeze(0);
        using var expected = new FeatureAggregator(model, [1], 1).Extract(image);
        using var features = expected.Features.Select(0, 0);
        using var attention = expected.ClsAttention.Select(0, 0);
        VitFixtures.AssertClose(written["patch_features"], features, "patch features");
        VitFixtures.AssertClose(written["cls_attention"], attention, "CLS attention");
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

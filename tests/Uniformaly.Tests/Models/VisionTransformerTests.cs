using NUnit.Framework;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Models;

[TestFixture]
public sealed class VisionTransformerTests
{
    private static readonly int[] AllLayersA = [1, 2, 3, 4];

    [Test]
    public void Infer_ReadsTheArchitectureFromTheTensorShapes()
    {
        using var stateDict = CheckpointReader.Read(VitFixtures.ModelA);
        Assert.That(VitArchitecture.Infer(stateDict), Is.EqualTo(new VitArchitecture(128, 4, 2, 16, 4)));
    }

    // sq64: the checkpoint's grid; g7: 7x7; rect: 6x4; quirk: 4x4 from 64x72, which DINO still resamples.
    [TestCase("sq64")]
    [TestCase("g7")]
    [TestCase("rect")]
    [TestCase("quirk")]
    public void Forward_MatchesTheReferenceInEveryBlockAndAttention(string name)
    {
        using var model = VitFixtures.LoadA();
        using var reference = VitFixtures.Reference("reference_a");
        var input = reference[$"{name}/input"];
        var (h, w) = model.Grid(input.Size(2), input.Size(3));
        using (var pos = model.InterpolatePosEncoding(h * w, input.Size(2), input.Size(3)))
            VitFixtures.AssertClose(pos, reference[$"{name}/pos_embed"], "pos_embed");
        foreach (var a in AllLayersA)
        {
            using var outputs = model.Forward(input, AllLayersA, a);
            foreach (var l in AllLayersA)
                VitFixtures.AssertClose(outputs.Blocks[l], reference[$"{name}/block{l}"], $"{name} block {l}");
            VitFixtures.AssertClose(outputs.Attention!, reference[$"{name}/attn{a}"], $"{name} attention {a}");
        }
    }

    [Test]
    public void Forward_ClsHeadMeanIsTheHeadMeanOfTheClsQueryRow()
    {
        using var model = VitFixtures.LoadA();
        using var reference = VitFixtures.Reference("reference_a");
        using var outputs = model.Forward(reference["g7/input"], [], 4, AttentionForm.ClsHeadMean);
        Assert.That(outputs.Blocks, Is.Empty);
        Assert.That(outputs.Attention!.Shape, Is.EqualTo(new long[] { 1, 50 }));
        using var scope = new DisposeScope();
        VitFixtures.AssertClose(outputs.Attention.Slice(1, 1, 50), reference["g7/cls_attention4"], "CLS attention");
        NumericAssert.Close(outputs.Attention.Sum(1).Item(), 1, Tolerances.Vit, "sum of the CLS row");
    }

    [Test]
    public void Forward_StopsAfterTheLastBlockItNeeds()
    {
        using var model = VitFixtures.LoadA();
        using var reference = VitFixtures.Reference("reference_a");
        foreach (var (_, tensor) in model.Parameters.Where(p => p.Key.StartsWith("blocks.3.", StringComparison.Ordinal)))
            tensor.Fill(double.NaN);
        var input = reference["sq64/input"];
        using (var early = model.Forward(input, [1, 2], 3))
        {
            VitFixtures.AssertClose(early.Blocks[2], reference["sq64/block2"], "block 2 with a poisoned block 4");
            VitFixtures.AssertClose(early.Attention!, reference["sq64/attn3"], "attention 3 with a poisoned block 4");
        }
        using var all = model.Forward(input, [4]);
        using var nan = all.Blocks[4].IsNan();
        Assert.That(nan.Sum().Item(), Is.GreaterThan(0), "block 4 ran with its NaN weights");
    }

    [Test]
    public void Forward_InBFloat16_StaysWithinBFloat16RoundingOfTheReference()
    {
        using var stateDict = CheckpointReader.Read(VitFixtures.ModelA);
        using var model = VisionTransformer.FromStateDict(stateDict, precision: BackbonePrecision.BFloat16);
        using var reference = VitFixtures.Reference("reference_a");
        using var outputs = model.Forward(reference["g7/input"], AllLayersA, 4);
        using var scope = new DisposeScope();
        // Each linear layer rounds its inputs and weights to 8 significant bits (relative 2^-9
        // each); four blocks of peaked attention amplify that. A float32 model is 1e3 times closer
        // (the reference tests), a wrong layer or a missing bias is off by order 1.
        foreach (var l in AllLayersA)
        {
            var error = RelativeError(outputs.Blocks[l], reference[$"g7/block{l}"]);
            Assert.That(error, Is.LessThan(0.05).And.GreaterThan(1e-4), $"block {l}: relative error of the bfloat16 model");
        }
    }

    private static double RelativeError(Tensor actual, Tensor expected) =>
        (actual - expected).Abs().Max().Item() / expected.Abs().Max().Item();

    [Test]
    public void Forward_LeavesNoTensorBehind()
    {
        using var model = VitFixtures.LoadA();
        using var reference = VitFixtures.Reference("reference_a");
        var before = Tensor.LiveCount;
        model.Forward(reference["g7/input"], [2, 3], 4, AttentionForm.ClsHeadMean).Dispose();
        model.Forward(reference["rect/input"], [1, 4], 2).Dispose();
        Assert.That(Tensor.LiveCount, Is.EqualTo(before));
    }

    // Model B: float32 zip, legacy, iBOT-style nested with prefixes and a head, safetensors.
    [TestCase("vit_b_d64_p8.pth")]
    [TestCase("vit_b_d64_p8_legacy.pth")]
    [TestCase("vit_b_d64_p8_ibot.pth")]
    [TestCase("vit_b_d64_p8.safetensors")]
    public void Load_EveryCheckpointFormatGivesTheReferenceOutputs(string file)
    {
        using var model = VisionTransformer.Load(VitFixtures.ModelB(file));
        Assert.That(model.Architecture, Is.EqualTo(new VitArchitecture(64, 2, 1, 8, 4)));
        using var reference = VitFixtures.Reference("reference_b");
        foreach (var name in new[] { "sq32", "rect" })
        {
            using var outputs = model.Forward(reference[$"{name}/input"], [1, 2], 2);
            VitFixtures.AssertClose(outputs.Blocks[1], reference[$"{name}/block1"], $"{file} {name} block 1");
            VitFixtures.AssertClose(outputs.Blocks[2], reference[$"{name}/block2"], $"{file} {name} block 2");
            VitFixtures.AssertClose(outputs.Attention!, reference[$"{name}/attn2"], $"{file} {name} attention 2");
        }
    }

    [Test]
    public void Load_OnCuda_MatchesTheReference()
    {
        Cuda.Require();
        using var model = VisionTransformer.Load(VitFixtures.ModelA, device: Device.Cuda());
        using var reference = VitFixtures.Reference("reference_a");
        using var input = reference["g7/input"].To(Device.Cuda());
        using var outputs = model.Forward(input, [4], 4);
        VitFixtures.AssertClose(outputs.Blocks[4], reference["g7/block4"], "cuda block 4");
        VitFixtures.AssertClose(outputs.Attention!, reference["g7/attn4"], "cuda attention 4");
    }

    [Test]
    public void Load_OnCudaWithoutCuda_SaysItIsMissing()
    {
        Cuda.RequireAbsent();
        var error = Assert.Throws<TorchException>(() => VisionTransformer.Load(VitFixtures.ModelA, device: Device.Cuda()));
        Assert.That(error!.Message, Does.Contain("CUDA is not available"));
    }

    [Test]
    public void Load_ACheckpointOfAnotherArchitectureListsEveryOffendingKey()
    {
        var error = Assert.Throws<CheckpointException>(() =>
            VisionTransformer.Load(VitFixtures.ModelB("vit_b_d64_p8.pth"), VitArchitecture.Small(16)));
        Assert.That(error!.Message, Does.Contain("vit_b_d64_p8.pth"));
        Assert.That(error.Message, Does.Contain("missing keys (120)").And.Contain("blocks.11.mlp.fc2.bias"));
        Assert.That(error.Message, Does.Contain("shape mismatches").And.Contain("cls_token (checkpoint [1, 1, 64], model [1, 1, 384])"));
    }

    [Test]
    public void Load_AFileThatIsNotAViTSaysWhatIsMissing()
    {
        var path = TestSetup.Fixture("checkpoints", "zip_basic.pth");
        var error = Assert.Throws<CheckpointException>(() => VisionTransformer.Load(path));
        Assert.That(error!.Message, Does.Contain("zip_basic.pth").And.Contain("cls_token"));
    }

    [Test]
    public void Forward_RejectsLayersOutsideTheBackbone()
    {
        using var model = VitFixtures.LoadA();
        using var images = Tensor.Randn([1, 3, 64, 64]);
        var layers = Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(images, [0, 3]));
        Assert.That(layers!.Message, Does.Contain("outside 1..4"));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(images, [5]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(images, [2], 9));
    }

    [Test]
    public void Forward_RejectsImagesOfTheWrongShapeOrType()
    {
        using var model = VitFixtures.LoadA();
        using var gray = Tensor.Randn([1, 1, 64, 64]);
        using var tiny = Tensor.Randn([1, 3, 8, 64]);
        using var doubles = Tensor.Randn([1, 3, 64, 64], DType.Float64);
        Assert.Throws<ArgumentException>(() => model.Forward(gray, [1]));
        Assert.Throws<ArgumentException>(() => model.Forward(tiny, [1]));
        Assert.Throws<ArgumentException>(() => model.Forward(doubles, [1]));
    }

    [Test]
    public void Random_BuildsAViTBaseThatRuns()
    {
        TorchRuntime.ManualSeed(0);
        using var model = VisionTransformer.Random(VitArchitecture.Base(16) with { Depth = 2 });
        using var images = Tensor.Randn([1, 3, 224, 224]);
        using var outputs = model.Forward(images, [2], 1, AttentionForm.ClsHeadMean);
        Assert.That(outputs.Blocks[2].Shape, Is.EqualTo(new long[] { 1, 197, 768 }));
        Assert.That(outputs.Attention!.Shape, Is.EqualTo(new long[] { 1, 197 }));
    }

    /// <summary>Each family's random form runs, with its prefix tokens before the patches, and its CLS
    /// row is a softmax over every token.</summary>
    [TestCase("random_dinov2_vits14", 1, 224, 16 * 16)]
    [TestCase("random_dinov2_vits14_reg", 5, 224, 16 * 16)]
    [TestCase("random_dinov3_vits16", 5, 224, 14 * 14)]
    [TestCase("random_dinov3_vits16plus", 5, 160, 10 * 10)]
    public void Random_BuildsEachFamilysBackboneThatRuns(string name, int prefix, int size, int patches)
    {
        TorchRuntime.ManualSeed(0);
        using var model = VisionTransformer.Random(Backbones.ArchitectureOf(name) with { Depth = 1 });
        using var images = Tensor.Randn([1, 3, size, size]);
        using var outputs = model.Forward(images, [1], 1, AttentionForm.ClsHeadMean);
        Assert.That(outputs.PrefixTokens, Is.EqualTo(prefix));
        Assert.That(outputs.Blocks[1].Shape, Is.EqualTo(new long[] { 1, prefix + patches, model.Architecture.EmbedDim }));
        using var nan = outputs.Blocks[1].IsNan();
        Assert.That(nan.Sum().Item(), Is.Zero);
        NumericAssert.Close(outputs.Attention!.Sum(1).Item(), 1, Tolerances.Vit, "sum of the CLS row");
    }
}

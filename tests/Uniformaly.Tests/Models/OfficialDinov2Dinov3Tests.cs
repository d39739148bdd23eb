using System.Text.Json;
using NUnit.Framework;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Features;
using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Models;

/// <summary>
/// DINOv2 and DINOv3 against their official code (tools/make_dinov2_dinov3_fixtures.py builds tiny
/// random-weight models with the official hub constructors and records their outputs): every block,
/// the CLS attention per head and its head mean over the patches, the patch features of the official
/// get_intermediate_layers, at 224 and at a non-square size; DINOv2's pos_embed interpolation from the
/// real 37x37 grid; and the real models' state-dict layouts.
/// </summary>
[TestFixture]
public sealed class OfficialDinov2Dinov3Tests
{
    private static string Fixture(string name) => TestSetup.Fixture("dinov2_dinov3", name);

    // model, case: DINOv2 plain, with registers and ViT-g's SwiGLU; DINOv3 and DINOv3 "plus" (SwiGLU).
    private static readonly object[] Cases =
    [
        new object[] { "dinov2_s", "224" }, new object[] { "dinov2_s", "rect14" }, new object[] { "dinov2_s", "trained" },
        new object[] { "dinov2_s_reg", "224" }, new object[] { "dinov2_s_reg", "rect14" }, new object[] { "dinov2_s_reg", "trained" },
        new object[] { "dinov2_g", "224" }, new object[] { "dinov2_g", "rect14" },
        new object[] { "dinov3_s", "224" }, new object[] { "dinov3_s", "rect16" },
        new object[] { "dinov3_splus", "224" }, new object[] { "dinov3_splus", "rect16" },
    ];

    [TestCaseSource(nameof(Cases))]
    public void Forward_MatchesTheOfficialModelInEveryBlockAndClsAttention(string model, string input)
    {
        using var official = new OfficialCase(model, input);
        var (vit, images, reference) = (official.Model, official.Images, official.Reference);
        var layers = Enumerable.Range(1, vit.Architecture.Depth).ToArray();
        foreach (var a in layers)
        {
            using var outputs = vit.Forward(images, layers, a);
            foreach (var l in layers)
                VitFixtures.AssertClose(outputs.Blocks[l], reference[$"{input}/block{l}"], $"{model} {input} block {l}");
            using var clsRows = outputs.Attention!.Select(2, 0);
            VitFixtures.AssertClose(clsRows, reference[$"{input}/cls_attention_heads{a}"], $"{model} {input} CLS attention {a} per head");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Features_AreTheOfficialPatchTokensAndTheClsAttentionToThem(string model, string input)
    {
        using var official = new OfficialCase(model, input);
        var (vit, images, reference) = (official.Model, official.Images, official.Reference);
        var depth = vit.Architecture.Depth;
        using var features = new FeatureAggregator(vit, [.. Enumerable.Range(1, depth)], depth).Extract(images);
        VitFixtures.AssertClose(features.Features, reference[$"{input}/patch_features"], $"{model} {input} patch features");
        VitFixtures.AssertClose(features.ClsAttention, reference[$"{input}/cls_attention{depth}"], $"{model} {input} CLS attention to the patches");
    }

    /// <summary>A fixture model loaded from its official-layout file, one input case and the official outputs.</summary>
    private sealed class OfficialCase : IDisposable
    {
        public OfficialCase(string model, string input)
        {
            Model = VisionTransformer.Load(Fixture(model + ".pth"));
            using var inputs = SafeTensors.Read(Fixture("inputs.safetensors"));
            Images = inputs[input].To(DType.Float32);
            Reference = SafeTensors.Read(Fixture(model + "_reference.safetensors"));
        }

        public VisionTransformer Model { get; }
        public Tensor Images { get; }
        public StateDict Reference { get; }

        public void Dispose()
        {
            Model.Dispose();
            Images.Dispose();
            Reference.Dispose();
        }
    }

    [TestCase("dinov2_s", VitFamily.Dinov2, 0, FeedForward.Mlp, 0)]
    [TestCase("dinov2_s_reg", VitFamily.Dinov2, 4, FeedForward.Mlp, 0)]
    [TestCase("dinov2_g", VitFamily.Dinov2, 0, FeedForward.SwiGluFused, 176)]
    [TestCase("dinov3_s", VitFamily.Dinov3, 4, FeedForward.Mlp, 0)]
    [TestCase("dinov3_splus", VitFamily.Dinov3, 4, FeedForward.SwiGlu, 256)]
    public void Infer_ReadsTheFamilyAndItsPartsFromAnOfficialFile(string model, VitFamily family, int registers, FeedForward ffn, int hidden)
    {
        using var stateDict = CheckpointReader.Read(Fixture(model + ".pth"));
        var architecture = VitArchitecture.Infer(stateDict);
        Assert.That(architecture.Family, Is.EqualTo(family));
        Assert.That(architecture.RegisterTokens, Is.EqualTo(registers));
        Assert.That(architecture.FeedForward, Is.EqualTo(ffn));
        Assert.That(architecture.SwiGluHidden, Is.EqualTo(hidden));
        Assert.That(architecture.Heads, Is.EqualTo(family == VitFamily.Dinov3 ? 2 : 1), "heads: D / 64, or from DINOv3's RoPE periods");
    }

    /// <summary>From the real 37x37 grid to 16x16 (224 px), 16x12, 37x37 (kept) and 10x7, for the plain
    /// model (scale with the 0.1 offset, no antialias) and the register model (size, antialiased).</summary>
    [TestCase("plain", false)]
    [TestCase("reg", true)]
    public void InterpolatePosEncoding_IsDinov2sFromThe37x37Grid(string variant, bool registers)
    {
        using var reference = SafeTensors.Read(Fixture("pos_embed_37.safetensors"));
        using var model = TinyDinov2(registers, reference[$"{variant}/pos_embed"]);
        foreach (var (h, w) in new[] { (224, 224), (224, 168), (518, 518), (140, 98) })
        {
            using var pos = model.InterpolatePosEncoding(h / 14 * (w / 14), h, w);
            VitFixtures.AssertClose(pos, reference[$"{variant}/{h}x{w}"], $"{variant} pos_embed for {h}x{w}");
        }
    }

    /// <summary>The two interpolations differ by far more than rounding: the test above tells them apart.</summary>
    [Test]
    public void InterpolatePosEncoding_OfTheOtherVariantIsFarOff()
    {
        using var reference = SafeTensors.Read(Fixture("pos_embed_37.safetensors"));
        using var wrong = TinyDinov2(registers: true, reference["plain/pos_embed"]);
        foreach (var (h, w) in new[] { (224, 224), (224, 168) })
        {
            using var pos = wrong.InterpolatePosEncoding(h / 14 * (w / 14), h, w);
            var error = NumericAssert.RelativeError(NumericAssert.Floats(pos), NumericAssert.Floats(reference[$"plain/{h}x{w}"]));
            Assert.That(error, Is.GreaterThan(100 * Tolerances.Vit), $"{h}x{w}: antialiased, no offset");
        }
    }

    private static VisionTransformer TinyDinov2(bool registers, Tensor posEmbed)
    {
        var model = VisionTransformer.Random(new VitArchitecture(8, 1, 1, 14, VitArchitecture.Dinov2Grid)
            { Family = VitFamily.Dinov2, RegisterTokens = registers ? 4 : 0 });
        model.Parameters["pos_embed"].CopyFrom(posEmbed);
        return model;
    }

    private static IEnumerable<string> RealModels() =>
        JsonDocument.Parse(File.ReadAllText(Fixture("layouts.json"))).RootElement.EnumerateObject().Select(p => p.Name).ToList();

    /// <summary>The named backbone's tensors are the official model's, key by key in order, with their shapes.</summary>
    [TestCaseSource(nameof(RealModels))]
    public void ParameterShapes_AreTheOfficialLayout(string name)
    {
        var official = OfficialLayout(name);
        var ours = Backbones.Get(name).Architecture.ParameterShapes();
        Assert.That(ours.Keys, Is.EqualTo(official.Select(k => k.Key)));
        foreach (var (key, shape) in official)
            Assert.That(ours[key], Is.EqualTo(shape), key);
    }

    /// <summary>--checkpoint infers each real model's architecture from its tensors' shapes (expanded
    /// views: no memory behind them).</summary>
    [TestCaseSource(nameof(RealModels))]
    public void Infer_FindsTheNamedArchitectureInTheOfficialLayout(string name)
    {
        using var stateDict = new StateDict(name);
        foreach (var (key, shape) in OfficialLayout(name))
        {
            using var one = Tensor.Zeros([1]);
            stateDict.Add(key, one.Reshape([.. shape.Select(_ => 1L)]).Expand(shape));
        }
        Assert.That(VitArchitecture.Infer(stateDict), Is.EqualTo(Backbones.Get(name).Architecture));
    }

    /// <summary>layouts.json lists the depth-1 model's keys; blocks.0.* stands for every block.</summary>
    private static List<KeyValuePair<string, long[]>> OfficialLayout(string name)
    {
        var model = JsonDocument.Parse(File.ReadAllText(Fixture("layouts.json"))).RootElement.GetProperty(name);
        var depth = model.GetProperty("depth").GetInt32();
        var keys = model.GetProperty("keys").EnumerateArray()
            .Select(k => KeyValuePair.Create(k[0].GetString()!, k[1].EnumerateArray().Select(d => d.GetInt64()).ToArray())).ToList();
        var head = keys.TakeWhile(k => !k.Key.StartsWith("blocks.", StringComparison.Ordinal)).ToList();
        var block = keys.Where(k => k.Key.StartsWith("blocks.0.", StringComparison.Ordinal)).ToList();
        var tail = keys.SkipWhile(k => !k.Key.StartsWith("blocks.", StringComparison.Ordinal)).Where(k => !k.Key.StartsWith("blocks.", StringComparison.Ordinal));
        return [.. head, .. Enumerable.Range(0, depth).SelectMany(i => block.Select(k => KeyValuePair.Create($"blocks.{i}.{k.Key["blocks.0.".Length..]}", k.Value))), .. tail];
    }
}

using NUnit.Framework;
using Uniformaly.Research.Checkpoints;

namespace Uniformaly.Tests.Checkpoints;

/// <summary>Finding the state dict inside training checkpoints (iBOT, DINO, MAE layouts), renaming
/// its keys, and strict matching against the model's parameters.</summary>
public sealed class StateDictContainerTests
{
    private static readonly string[] VitKeys =
    [
        "cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias",
        "blocks.0.norm1.weight", "blocks.0.attn.qkv.weight", "norm.weight", "norm.bias",
    ];

    [TestCase("ibot_nested.pth", "state_dict/module.backbone.")]
    [TestCase("ibot_nested_legacy.pth", "state_dict/module.backbone.")]
    [TestCase("dino_full.pth", "teacher/backbone.")]
    [TestCase("mae_model.pth", "model/")]
    public void Read_FindsNestedStateDict_StripsPrefixes_DropsHeads(string file, string rawPrefix)
    {
        var expected = CheckpointFixtures.Tensors(file);
        using var stateDict = CheckpointReader.Read(CheckpointFixtures.Path(file));
        Assert.That(stateDict.Keys, Is.EqualTo(VitKeys));
        foreach (var key in VitKeys)
            CheckpointFixtures.AssertTensor(stateDict[key], expected[rawPrefix + key], key);
    }

    [Test]
    public void Read_SafeTensors_GoesThroughTheSameReader()
    {
        using var stateDict = CheckpointReader.Read(CheckpointFixtures.Path("hand_written.safetensors"));
        var expected = CheckpointFixtures.Tensors("hand_written.safetensors");
        Assert.That(stateDict.Keys, Is.EquivalentTo(expected.Keys));
        foreach (var (name, e) in expected) CheckpointFixtures.AssertTensor(stateDict[name], e, name);
        Assert.That(stateDict.Metadata["source"], Is.EqualTo("fixture"));
    }

    [TestCase("module.backbone.blocks.0.norm1.weight", "blocks.0.norm1.weight")]
    [TestCase("module.base_encoder.patch_embed.proj.bias", "patch_embed.proj.bias")]
    [TestCase("encoder.norm.weight", "norm.weight")]
    [TestCase("backbone.module.pos_embed", "pos_embed")]
    [TestCase("blocks.0.mlp.fc1.weight", "blocks.0.mlp.fc1.weight")]
    [TestCase("headless.weight", "headless.weight")]
    [TestCase("module.head.last_layer.weight_g", null)]
    [TestCase("head.weight", null)]
    [TestCase("module.predictor.0.weight", null)]
    [TestCase("module.momentum_encoder.norm.weight", null)]
    public void Normalize_StripsWrappersAndDropsHeads(string key, string? expected) =>
        Assert.That(StateDictKeys.Normalize(key), Is.EqualTo(expected));

    [Test]
    public void Read_KeysCollidingAfterStripping_AreAnError()
    {
        var path = CheckpointFixtures.Path("colliding_prefixes.pth");
        var e = Assert.Throws<CheckpointException>(() => CheckpointReader.Read(path));
        Assert.That(e!.Message, Does.Contain(path).And.Contain("'module.x' and 'x' both become 'x'"));
    }

    [Test]
    public void MatchStrict_AcceptsExactKeysAndShapes()
    {
        using var stateDict = CheckpointReader.Read(CheckpointFixtures.Path("ibot_nested.pth"));
        Assert.DoesNotThrow(() => stateDict.MatchStrict(Shapes(stateDict)));
    }

    [Test]
    public void MatchStrict_ListsEveryMissingUnexpectedAndMisshapenKeyAtOnce()
    {
        var path = CheckpointFixtures.Path("dino_plain.pth");
        using var stateDict = CheckpointReader.Read(path);
        var expected = Shapes(stateDict);
        expected.Remove("norm.bias");
        expected.Remove("pos_embed");
        expected["blocks.1.norm1.weight"] = [4];
        expected["fc_norm.weight"] = [4];
        expected["cls_token"] = [1, 1, 5];
        expected["patch_embed.proj.weight"] = [4, 3, 8, 8];

        var e = Assert.Throws<CheckpointException>(() => stateDict.MatchStrict(expected));
        Assert.That(e!.Message, Does.Contain(path));
        Assert.That(e.Message, Does.Contain("missing keys (2): blocks.1.norm1.weight, fc_norm.weight"));
        Assert.That(e.Message, Does.Contain("unexpected keys (2): pos_embed, norm.bias"));
        Assert.That(e.Message, Does.Contain("shape mismatches (2): cls_token (checkpoint [1, 1, 4], model [1, 1, 5]), " +
                                            "patch_embed.proj.weight (checkpoint [4, 3, 2, 2], model [4, 3, 8, 8])"));
    }

    private static Dictionary<string, long[]> Shapes(StateDict stateDict) =>
        stateDict.ToDictionary(kv => kv.Key, kv => kv.Value.Shape);
}

using System.IO.Compression;
using NUnit.Framework;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Checkpoints;

/// <summary>torch.save files in the zip and legacy formats, every dtype, strided views over shared
/// storages and nn.Parameter, compared element by element with what PyTorch saved.</summary>
public sealed class TorchFormatTests
{
    [TestCase("zip_basic.pth")]
    [TestCase("legacy_basic.pth")]
    [TestCase("zip_dtypes.pth")]
    [TestCase("legacy_dtypes.pth")]
    [TestCase("zip_views.pth")]
    [TestCase("legacy_views.pth")]
    [TestCase("zip_protocol4.pth")]
    [TestCase("legacy_protocol4.pth")]
    [TestCase("legacy_rebuild_tensor.pth")]
    [TestCase("parameters.pth")]
    [TestCase("parameters_legacy.pth")]
    [TestCase("dino_plain.pth")]
    [TestCase("ordered_dict.pth")]
    [TestCase("module_state_dict.pth")]
    [TestCase("module_state_dict_legacy.pth")]
    public void Read_GivesEveryTensorExactlyInFileOrder(string file)
    {
        var expected = CheckpointFixtures.Tensors(file);
        using var stateDict = CheckpointReader.Read(CheckpointFixtures.Path(file));
        Assert.That(stateDict.Keys, Is.EquivalentTo(expected.Keys));
        foreach (var (name, e) in expected)
        {
            CheckpointFixtures.AssertTensor(stateDict[name], e, $"{file}:{name}");
            Assert.That(stateDict[name].Strides, Is.EqualTo(e.Strides), $"{file}:{name} strides");
            Assert.That(stateDict[name].Device, Is.EqualTo(Device.Cpu));
        }
    }

    [TestCase("dino_plain.pth")]
    [TestCase("ordered_dict.pth")]
    public void Read_KeepsTheDictionaryOrder(string file)
    {
        using var stateDict = CheckpointReader.Read(CheckpointFixtures.Path(file));
        Assert.That(stateDict.Keys, Is.EqualTo(new[]
        {
            "cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias",
            "blocks.0.norm1.weight", "blocks.0.attn.qkv.weight", "norm.weight", "norm.bias",
        }));
    }

    [TestCase("zip_views.pth")]
    [TestCase("legacy_views.pth")]
    public void Read_ViewsOfOneStorageShareMemoryAsInPyTorch(string file)
    {
        using var stateDict = CheckpointReader.Read(CheckpointFixtures.Path(file));
        stateDict["base"].Fill(-1);
        foreach (var view in new[] { "transposed", "rows_1_3", "every_other_column", "element" })
            Assert.That(CheckpointFixtures.Values(stateDict[view]), Is.All.EqualTo(-1.0), view);
        Assert.That(CheckpointFixtures.Values(stateDict["other_t"]), Has.None.EqualTo(-1.0));
    }

    [Test]
    public void ToFloat32_WidensHalfPrecisionAndMakesViewsContiguous()
    {
        var expected = CheckpointFixtures.Tensors("zip_views.pth")["half_t"];
        using var stateDict = CheckpointReader.Read(CheckpointFixtures.Path("zip_views.pth"));
        Assert.That(stateDict["half_t"].DType, Is.EqualTo(DType.Float16));
        using var f32 = stateDict.ToFloat32("half_t");
        Assert.That(f32.DType, Is.EqualTo(DType.Float32));
        Assert.That(f32.IsContiguous, Is.True);
        Assert.That(f32.ToArray<float>().Select(v => (double)v), Is.EqualTo(expected.Values));

        using var all = stateDict.ToFloat32();
        Assert.That(all.Keys, Is.EqualTo(stateDict.Keys));
        Assert.That(all.Values.Select(t => t.DType), Is.All.EqualTo(DType.Float32));
    }

    [Test]
    public void Dispose_FreesEveryTensor()
    {
        var before = Tensor.LiveCount;
        using (var stateDict = CheckpointReader.Read(CheckpointFixtures.Path("zip_views.pth")))
            Assert.That(Tensor.LiveCount - before, Is.EqualTo(stateDict.Count), "only the views stay alive");
        Assert.That(Tensor.LiveCount, Is.EqualTo(before));
    }

    [Test]
    public void Read_DeflatedZipMembers_AreInflated()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "deflated.pth");
        Recompress(CheckpointFixtures.Path("zip_dtypes.pth"), path);
        var expected = CheckpointFixtures.Tensors("zip_dtypes.pth");
        using var stateDict = CheckpointReader.Read(path);
        foreach (var (name, e) in expected) CheckpointFixtures.AssertTensor(stateDict[name], e, name);
    }

    /// <summary>Copies a torch zip with every member deflated (what zip tools do when re-packing).</summary>
    private static void Recompress(string source, string destination)
    {
        using var input = ZipFile.OpenRead(source);
        using var output = ZipFile.Open(destination, ZipArchiveMode.Create);
        foreach (var entry in input.Entries)
        {
            using var from = entry.Open();
            using var to = output.CreateEntry(entry.FullName, CompressionLevel.Optimal).Open();
            from.CopyTo(to);
        }
    }
}

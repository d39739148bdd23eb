using NUnit.Framework;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Features;
using Uniformaly.Research.Torch;
using Uniformaly.Tests.Models;

namespace Uniformaly.Tests.Features;

[TestFixture]
public sealed class FeatureDumpTests
{
    [TestCase("g7", 3)]
    [TestCase("rect", 7)]
    public void Compute_WritesEveryStageOfOneImage(string name, int kernel)
    {
        using var model = VitFixtures.LoadA();
        using var reference = VitFixtures.Reference("reference_a");
        using var scope = new DisposeScope();
        var image = reference[$"{name}/input"].Select(0, 0);
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "features.safetensors");

        var computed = FeatureDump.Compute(model, image, [2, 3, 4], null, new BackPatchAttention(kernel, 0.1));
        FeatureDump.Write(path, computed);
        foreach (var tensor in computed.Values) tensor.Dispose();

        using var written = SafeTensors.Read(path);
        Assert.That(written.Keys, Is.EquivalentTo(new[] { "input", "block_2", "block_3", "block_4", "patch_features", "cls_attention", "bpm_smoothed", "bpm_mask" }));
        Assert.That(written.Values.Select(t => t.DType), Is.All.EqualTo(DType.Float32));
        Assert.That(written["input"].ToArray<float>(), Is.EqualTo(image.ToArray<float>()));
        foreach (var l in new[] { 2, 3, 4 })
            VitFixtures.AssertClose(written[$"block_{l}"], reference[$"{name}/block{l}"].Select(0, 0), $"block {l}");
        VitFixtures.AssertClose(written["patch_features"], reference[$"{name}/patch_features_2,3,4"].Select(0, 0), "patch features");
        VitFixtures.AssertClose(written["cls_attention"], reference[$"{name}/cls_attention4"].Select(0, 0), "CLS attention");
        VitFixtures.AssertClose(written["bpm_smoothed"], reference[$"{name}/attn4_n{kernel}_smoothed"].Select(0, 0), "BPM smoothed");
        VitFixtures.AssertMask(written["bpm_mask"], reference[$"{name}/attn4_n{kernel}_mask"].Select(0, 0),
            reference[$"{name}/attn4_n{kernel}_smoothed"].Select(0, 0), 0.1, Tolerances.Vit, "BPM mask");
        Assert.That(Directory.GetFiles(folder.Path), Has.Length.EqualTo(1), "no temporary file is left");
    }
}

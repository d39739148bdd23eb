using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Tests.Parity;

namespace Uniformaly.Tests.Reproduction;

/// <summary>
/// Small synthetic stand-ins for every dataset of the paper, in the folders `uniformaly reproduce`
/// expects under --data-root, and the tiny-ViT arguments that make reproductions fast on CPU.
/// </summary>
public static class StandIns
{
    public const string Categories = "synth_object,synth_texture";

    /// <summary>The parity fixture's tiny ViT on 64 px images (16 patches), its three blocks.</summary>
    public static readonly string[] TinyModel =
        ["--checkpoint", ParityFixture.Checkpoint, "--set", "layers=1-3", "--set", "resize=64", "--set", "imagesize=64", "--set", "sampler-ratio=0.5"];

    public static void Write(string root)
    {
        var defects = new SyntheticDatasetOptions { TrainImages = 3, TestGoodImages = 2, TestImagesPerDefect = 1, Size = 64 };
        SyntheticDataset.Write(Path.Combine(root, "mvtec"), defects);
        SyntheticDataset.Write(Path.Combine(root, "mtd"), defects with { Categories = ["synth_texture"] });
        SyntheticDataset.Write(Path.Combine(root, "cpd"), defects with { Categories = ["synth_object"], Seed = 1 });
        WriteBtad(Path.Combine(root, "btad"), defects);
        SyntheticSemantic.WriteCifar(Path.Combine(root, "cifar10"), cifar100: false, trainPerClass: 1, testPerClass: 1);
        SyntheticSemantic.WriteCifar(Path.Combine(root, "cifar100"), cifar100: true, trainPerClass: 1, testPerClass: 1);
        SyntheticSemantic.WriteImageFolder(Path.Combine(root, "imagenet30"), classes: 30, trainPerClass: 1, testPerClass: 1);
        SyntheticSemantic.WriteImageFolder(Path.Combine(root, "species60"), classes: 60, trainPerClass: 1, testPerClass: 1);
    }

    /// <summary>BTAD's layout (products 01-03, ok/ko, masks named like their images) from synthetic images.</summary>
    private static void WriteBtad(string root, SyntheticDatasetOptions options)
    {
        var staging = Path.Combine(root, "staging");
        SyntheticDataset.Write(staging, options with { Categories = ["synth_object"] });
        var source = Path.Combine(staging, "synth_object");
        foreach (var product in new[] { "01", "02", "03" })
        {
            Copy(Path.Combine(source, "train", "good"), Path.Combine(root, product, "train", "ok"), n => n);
            Copy(Path.Combine(source, "test", "good"), Path.Combine(root, product, "test", "ok"), n => n);
            Copy(Path.Combine(source, "test", "hole"), Path.Combine(root, product, "test", "ko"), n => n);
            Copy(Path.Combine(source, "ground_truth", "hole"), Path.Combine(root, product, "ground_truth", "ko"), n => n.Replace("_mask", ""));
        }
        Directory.Delete(staging, recursive: true);
    }

    private static void Copy(string from, string to, Func<string, string> rename)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, rename(Path.GetFileName(file))));
    }
}

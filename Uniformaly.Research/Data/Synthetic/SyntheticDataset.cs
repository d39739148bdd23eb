using Uniformaly.Research.Common;
using Uniformaly.Research.Imaging;

namespace Uniformaly.Research.Data.Synthetic;

/// <summary>How much synthetic data to make.</summary>
public sealed record SyntheticDatasetOptions
{
    public IReadOnlyList<string> Categories { get; init; } = SyntheticPainter.Categories;

    public int TrainImages { get; init; } = 20;

    public int TestGoodImages { get; init; } = 10;

    /// <summary>Test images per defect type (scratch, hole, stain).</summary>
    public int TestImagesPerDefect { get; init; } = 4;

    /// <summary>Image side in pixels.</summary>
    public int Size { get; init; } = 256;

    public int Seed { get; init; }
}

/// <summary>
/// Writes a deterministic MVTec-layout dataset (PNG images and masks) of synthetic textures and
/// objects with scratches, holes and stains: the same seed gives the same files byte for byte.
/// Tests and the demo run on it; nothing needs downloading.
/// </summary>
public static class SyntheticDataset
{
    /// <summary>Whether a category is one this generator writes (its names are its own: synth_texture,
    /// synth_object), so that reports can say its numbers are not a real dataset's.</summary>
    public static bool IsStandIn(string category) => SyntheticPainter.Categories.Contains(category);

    /// <summary>The smallest image side the painter draws.</summary>
    public const int MinSize = 32;

    public static void Write(string root, SyntheticDatasetOptions options)
    {
        if (options.Size < MinSize) throw new ArgumentOutOfRangeException(nameof(options), options.Size, $"synthetic images must be at least {MinSize} px");
        foreach (var category in options.Categories)
        {
            // One generator per category, so adding a category leaves the others unchanged.
            var random = new SplitMix64((ulong)options.Seed * 1_000_003UL + (ulong)SyntheticPainter.Categories.ToList().IndexOf(category));
            var folder = Path.Combine(root, category);
            for (var i = 0; i < options.TrainImages; i++)
                SaveImage(Path.Combine(folder, "train", "good", $"{i:000}.png"), SyntheticPainter.Normal(category, options.Size, random));
            for (var i = 0; i < options.TestGoodImages; i++)
                SaveImage(Path.Combine(folder, "test", "good", $"{i:000}.png"), SyntheticPainter.Normal(category, options.Size, random));
            foreach (var defect in SyntheticPainter.DefectTypes)
                for (var i = 0; i < options.TestImagesPerDefect; i++)
                {
                    var canvas = SyntheticPainter.Normal(category, options.Size, random);
                    SyntheticPainter.Defect(canvas, category, defect, random);
                    SaveImage(Path.Combine(folder, "test", defect, $"{i:000}.png"), canvas);
                    SaveMask(Path.Combine(folder, "ground_truth", defect, $"{i:000}_mask.png"), canvas);
                }
        }
    }

    private static void SaveImage(string path, SyntheticCanvas canvas) =>
        PngWriter.Save(path, new RgbImage(canvas.Size, canvas.Size, canvas.Rgb));

    private static void SaveMask(string path, SyntheticCanvas canvas) =>
        PngWriter.Save(path, new GrayImage(canvas.Size, canvas.Size, canvas.Mask));
}

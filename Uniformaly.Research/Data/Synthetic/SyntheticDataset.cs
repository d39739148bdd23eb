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

    /// <summary>The file format of images and masks; null: PNG when the native bridge has its
    /// codecs, else BMP (written and read in managed code), so that a bridge built without libpng
    /// still runs the pipeline on generated data.</summary>
    public SyntheticImageFormat? Format { get; init; }
}

/// <summary>
/// Writes a deterministic MVTec-layout dataset (PNG or BMP images and masks) of synthetic textures and
/// objects with scratches, holes and stains: the same seed gives the same files byte for byte.
/// Tests and the demo run on it; nothing needs downloading.
/// </summary>
public static class SyntheticDataset
{
    public static void Write(string root, SyntheticDatasetOptions options)
    {
        if (options.Size < 32) throw new ArgumentOutOfRangeException(nameof(options), options.Size, "synthetic images must be at least 32 px");
        foreach (var category in options.Categories)
        {
            // One generator per category, so adding a category leaves the others unchanged.
            var random = new SplitMix64((ulong)options.Seed * 1_000_003UL + (ulong)SyntheticPainter.Categories.ToList().IndexOf(category));
            var folder = Path.Combine(root, category);
            var format = options.Format ?? (ImageCodecs.Available ? SyntheticImageFormat.Png : SyntheticImageFormat.Bmp);
            var extension = format == SyntheticImageFormat.Png ? ".png" : ".bmp";
            for (var i = 0; i < options.TrainImages; i++)
                SaveImage(Path.Combine(folder, "train", "good", $"{i:000}{extension}"), SyntheticPainter.Normal(category, options.Size, random), format);
            for (var i = 0; i < options.TestGoodImages; i++)
                SaveImage(Path.Combine(folder, "test", "good", $"{i:000}{extension}"), SyntheticPainter.Normal(category, options.Size, random), format);
            foreach (var defect in SyntheticPainter.DefectTypes)
                for (var i = 0; i < options.TestImagesPerDefect; i++)
                {
                    var canvas = SyntheticPainter.Normal(category, options.Size, random);
                    SyntheticPainter.Defect(canvas, category, defect, random);
                    SaveImage(Path.Combine(folder, "test", defect, $"{i:000}{extension}"), canvas, format);
                    SaveMask(Path.Combine(folder, "ground_truth", defect, $"{i:000}_mask{extension}"), canvas, format);
                }
        }
    }

    private static void SaveImage(string path, SyntheticCanvas canvas, SyntheticImageFormat format)
    {
        var image = new RgbImage(canvas.Size, canvas.Size, canvas.Rgb);
        if (format == SyntheticImageFormat.Png) PngWriter.Save(path, image);
        else BmpWriter.Save(path, image);
    }

    private static void SaveMask(string path, SyntheticCanvas canvas, SyntheticImageFormat format)
    {
        var mask = new GrayImage(canvas.Size, canvas.Size, canvas.Mask);
        if (format == SyntheticImageFormat.Png) PngWriter.Save(path, mask);
        else BmpWriter.Save(path, mask);
    }
}

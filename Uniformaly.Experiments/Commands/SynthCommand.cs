using System.CommandLine;
using Uniformaly.Experiments.Options;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Research.Settings;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly synth --out DIR</c>: write the deterministic synthetic MVTec-layout dataset.</summary>
public static class SynthCommand
{
    public static Command Create()
    {
        var defaults = new SyntheticDatasetOptions();
        var output = OwnSettings.Path("out", "Dataset root to write");
        var categories = new Setting<string[]>("categories", "Categories to write", [.. defaults.Categories], ValueKinds.Names(SyntheticPainter.Categories));
        var train = OwnSettings.Whole("train", "Training images per category", defaults.TrainImages, 0);
        var good = OwnSettings.Whole("test-good", "Normal test images per category", defaults.TestGoodImages, 0);
        var perDefect = OwnSettings.Whole("per-defect", "Test images per defect type (scratch, hole, stain)", defaults.TestImagesPerDefect, 0);
        var size = OwnSettings.Whole("size", "Image side in pixels", defaults.Size, SyntheticDataset.MinSize, 8192);
        var seed = OwnSettings.Whole("seed", "Seed; the same seed writes the same files", defaults.Seed, 0);
        var command = new Command("synth", "Write a synthetic MVTec-layout dataset (textures and objects with scratches, holes, stains and masks)");
        var options = new SettingOptions(command, [output, categories, train, good, perDefect, size, seed]);
        command.SetAction(parse =>
        {
            var values = options.Read(parse);
            var data = new SyntheticDatasetOptions
            {
                Categories = values.Get(categories),
                TrainImages = values.Get(train),
                TestGoodImages = values.Get(good),
                TestImagesPerDefect = values.Get(perDefect),
                Size = values.Get(size),
                Seed = values.Get(seed),
            };
            var root = Path.GetFullPath(values.Get(output)!);
            SyntheticDataset.Write(root, data);
            Console.WriteLine($"wrote {data.Categories.Count} categories to {root}");
            return 0;
        });
        return command;
    }
}

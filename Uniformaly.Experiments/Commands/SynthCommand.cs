using System.CommandLine;
using Uniformaly.Research.Data.Synthetic;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly synth --out DIR</c>: write the deterministic synthetic MVTec-layout dataset.</summary>
public static class SynthCommand
{
    public static Command Create()
    {
        var defaults = new SyntheticDatasetOptions();
        var output = new Option<string>("--out") { Description = "Dataset root to write", Required = true };
        var categories = new Option<string>("--categories") { Description = "Comma list of synth_texture, synth_object", DefaultValueFactory = _ => string.Join(",", defaults.Categories) };
        var train = new Option<int>("--train") { Description = "Training images per category", DefaultValueFactory = _ => defaults.TrainImages };
        var good = new Option<int>("--test-good") { Description = "Normal test images per category", DefaultValueFactory = _ => defaults.TestGoodImages };
        var perDefect = new Option<int>("--per-defect") { Description = "Test images per defect type (scratch, hole, stain)", DefaultValueFactory = _ => defaults.TestImagesPerDefect };
        var size = new Option<int>("--size") { Description = "Image side in pixels", DefaultValueFactory = _ => defaults.Size };
        var seed = new Option<int>("--seed") { Description = "Seed; the same seed writes the same files", DefaultValueFactory = _ => 0 };
        var command = new Command("synth", "Write a synthetic MVTec-layout dataset (textures and objects with scratches, holes, stains and masks)")
        {
            output, categories, train, good, perDefect, size, seed,
        };
        command.SetAction(parse =>
        {
            var options = new SyntheticDatasetOptions
            {
                Categories = parse.GetValue(categories)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                TrainImages = parse.GetValue(train),
                TestGoodImages = parse.GetValue(good),
                TestImagesPerDefect = parse.GetValue(perDefect),
                Size = parse.GetValue(size),
                Seed = parse.GetValue(seed),
            };
            var root = Path.GetFullPath(parse.GetValue(output)!);
            SyntheticDataset.Write(root, options);
            Console.WriteLine($"wrote {options.Categories.Count} categories to {root}");
            return 0;
        });
        return command;
    }
}

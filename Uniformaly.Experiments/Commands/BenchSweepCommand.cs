using System.CommandLine;
using Uniformaly.Experiments.Options;
using Uniformaly.Experiments.Reproduction;
using Uniformaly.Research.Data.Synthetic;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly bench sweep</c>: what a kernel-size sweep costs over a single run, thanks to the feature cache.</summary>
public static class BenchSweepCommand
{
    public static Command Create()
    {
        var backbone = new Option<string?>("--backbone") { Description = "Backbone (default random_vits16; random_vitb8 is the paper's architecture)" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "A ViT checkpoint file instead of --backbone" };
        var points = new Option<int>("--points") { Description = "Sweep points, n = 7, 1, 3, 5, 9, 11, 13 in that order", DefaultValueFactory = _ => 7 };
        var train = new Option<int>("--train") { Description = "training images per category", DefaultValueFactory = _ => 20 };
        var testGood = new Option<int>("--test-good") { Description = "normal test images per category", DefaultValueFactory = _ => 10 };
        var perDefect = new Option<int>("--per-defect") { Description = "test images per defect type (3 types)", DefaultValueFactory = _ => 4 };
        var size = new Option<int>("--size") { Description = "synthetic image side in pixels", DefaultValueFactory = _ => 256 };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var compute = new ComputeOptions();
        var command = new Command("sweep", "Time a Table 9 kernel-size sweep against a single run on generated data (the demo's sizes by default)")
        {
            backbone, checkpoint, points, train, testGood, perDefect, size, json,
        };
        compute.AddTo(command);
        command.SetAction(parse =>
        {
            var device = compute.Apply(parse);
            var data = new SyntheticDatasetOptions
            {
                TrainImages = parse.GetValue(train), TestGoodImages = parse.GetValue(testGood),
                TestImagesPerDefect = parse.GetValue(perDefect), Size = parse.GetValue(size),
            };
            var result = SweepBenchmark.Run(parse.GetValue(backbone), parse.GetValue(checkpoint), device, parse.GetValue(compute.BatchSize),
                parse.GetValue(points), data);
            Console.WriteLine(parse.GetValue(json) ? result.ToJson() : SweepBenchmark.Describe(result));
            return 0;
        });
        return command;
    }
}

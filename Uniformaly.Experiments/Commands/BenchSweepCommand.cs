using System.CommandLine;
using Uniformaly.Experiments.Benchmarks;
using Uniformaly.Experiments.Options;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Research.Settings;
using static Uniformaly.Research.Settings.SettingTable;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly bench sweep</c>: what a kernel-size sweep costs over a single run, thanks to the feature cache.</summary>
public static class BenchSweepCommand
{
    public static Command Create()
    {
        var points = OwnSettings.Whole("points", "Sweep points, n = 7, 1, 3, 5, 9, 11, 13 in that order", SweepBenchmark.Kernels.Count, 1, SweepBenchmark.Kernels.Count);
        var train = OwnSettings.Whole("train", "Training images per category", 20, 1);
        var testGood = OwnSettings.Whole("test-good", "Normal test images per category", 10, 1);
        var perDefect = OwnSettings.Whole("per-defect", "Test images per defect type (3 types)", 4, 1);
        var size = OwnSettings.Whole("size", "Synthetic image side in pixels", 256, SyntheticDataset.MinSize);
        var command = new Command("sweep", "Time a Table 9 kernel-size sweep against a single run on generated data (the demo's sizes by default)");
        var options = new SettingOptions(command, [Backbone, Checkpoint, Weights, points, train, testGood, perDefect, size, BenchCommand.Json, .. SettingGroups.Compute],
            defaults: new Dictionary<Setting, object?> { [Backbone] = BenchCommand.DefaultBackbone });
        command.SetAction(parse =>
        {
            var values = options.Read(parse);
            var backbone = DetectorSettings.From(values);
            var device = Compute.Apply(values);
            var data = new SyntheticDatasetOptions
            {
                TrainImages = values.Get(train), TestGoodImages = values.Get(testGood), TestImagesPerDefect = values.Get(perDefect), Size = values.Get(size),
            };
            var result = SweepBenchmark.Run(backbone.Backbone, backbone.Checkpoint, values.Get(Weights), device, values.Get(BatchSize), values.Get(points), data);
            Console.WriteLine(values.Get(BenchCommand.Json) ? result.ToJson() : SweepBenchmark.Describe(result));
            return 0;
        });
        return command;
    }
}

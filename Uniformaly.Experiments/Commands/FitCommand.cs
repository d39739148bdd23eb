using System.CommandLine;
using Uniformaly.Experiments.Options;
using Uniformaly.Experiments.Terminal;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Detector;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly fit --images DIR|FILE... --out MODEL</c>: build a detector from normal images and save it.</summary>
public static class FitCommand
{
    public static Command Create()
    {
        var images = new Option<string[]>("--images") { Description = "Normal training images: files and/or folders", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--out") { Description = "Model folder to write (memory bank + settings)", Required = true };
        var config = new Option<string?>(ConfigFile.OptionName) { Description = "YAML file with any of these options (the command line wins)" };
        var detector = new DetectorOptions();
        var compute = new ComputeOptions();
        var command = new Command("fit", "Fit a detector on normal images and save it for `uniformaly predict`") { images, output, config };
        detector.AddTo(command);
        compute.AddTo(command);
        command.SetAction(parse =>
        {
            var device = compute.Apply(parse);
            var settings = detector.Bind(parse);
            var paths = ImagePaths.Expand(parse.GetValue(images)!);
            using var folder = ResultFolder.Open(parse.GetValue(output)!, "fit");
            using var backend = DetectorBackend.Create(settings, device);
            Console.Error.WriteLine(backend.Description);
            using var model = ProgressDisplay.Run(progress =>
            {
                using var stage = progress.Begin("embedding training images", paths.Count);
                return UniformalyDetector.Fit(settings, backend.Extract(paths, parse.GetValue(compute.BatchSize), stage), device, progress: progress);
            });
            model.Save(folder.Staging, backend.Record());
            folder.Publish();
            Console.WriteLine($"fitted on {paths.Count} images; memory bank of {model.BankSize} patches; saved to {folder.Path}");
            return 0;
        });
        return command;
    }
}

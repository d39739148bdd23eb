using System.CommandLine;
using Uniformaly.Experiments.Options;
using Uniformaly.Experiments.Terminal;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Features;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;
using static Uniformaly.Research.Settings.SettingTable;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly fit --images DIR|FILE... --out MODEL</c>: build a detector from normal images and save it.</summary>
public static class FitCommand
{
    private static readonly Setting<string?> Out = OwnSettings.Path("out", "Model folder to write (memory bank, settings.json, checkpoint.json)");

    public static Command Create()
    {
        var command = new Command("fit", "Fit a detector on normal images and save it for `uniformaly predict`");
        var options = new SettingOptions(command, [Images, Out, .. SettingGroups.Fitting, .. SettingGroups.Compute], config: true);
        command.SetAction(parse => Execute(options.Read(parse)));
        return command;
    }

    private static int Execute(SettingValues values)
    {
        var settings = DetectorSettings.From(values);
        var paths = ImagePaths.Expand(values.Get(Images));
        values.Set(Images, [.. values.Get(Images).Select(Path.GetFullPath)], values.Where(Images));
        var device = Compute.Apply(values);
        using var folder = ResultFolder.Open(values.Get(Out)!, "fit");
        using var extractor = FeatureExtractor.Create(settings, device, values.Get(Weights), where: values.Naming());
        Console.Error.WriteLine(extractor.Description);
        BankBound.Check(settings, paths.Count, BankBound.PatchesPerImage(settings.ImageSize, extractor.PatchSize), values.Naming());
        using var model = ProgressDisplay.Run(progress =>
        {
            using var stage = progress.Begin("extracting training features", paths.Count);
            return UniformalyDetector.Fit(settings, References(extractor, settings, paths, values.Get(BatchSize), stage), device, progress: progress);
        });
        model.Save(folder.Staging, extractor.Record(), Recorded.Values(values, settings, extractor), Recorded.About("fit", extractor));
        folder.Publish();
        Console.WriteLine($"fitted on {paths.Count} images; memory bank of {model.BankSize} patches; saved to {folder.Path}");
        return 0;
    }

    /// <summary>The training images' features batch by batch (with AnomalyDINO's rotations when asked), each freed when the fit moves on.</summary>
    private static IEnumerable<PatchFeatures> References(FeatureExtractor extractor, DetectorSettings settings, IReadOnlyList<string> paths,
        int batchSize, IProgressStage stage)
    {
        var through = RotatedReferences.For(extractor, settings);
        foreach (var batch in paths.Chunk(batchSize))
        {
            using (var images = extractor.Input.LoadBatch(batch))
            using (var features = through.Extract(images))
                yield return features;
            stage.Advance(batch.Length);
        }
    }
}

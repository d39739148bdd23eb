using System.CommandLine;
using Uniformaly.Experiments.Options;
using Uniformaly.Experiments.Terminal;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Decisions;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Features;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;
using static Uniformaly.Research.Settings.SettingTable;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly fit --images DIR|FILE... --out MODEL</c>: build a detector from normal images and save it.</summary>
public static class FitCommand
{
    private static readonly Setting<string?> Out = OwnSettings.Path("out", "Model folder to write (memory bank, calibration.json, settings.json, checkpoint.json)");

    public static Command Create()
    {
        var command = new Command("fit", "Fit a detector on normal images and save it for `uniformaly predict`");
        var options = new SettingOptions(command, [Images, Out, .. SettingGroups.Calibration, .. SettingGroups.Fitting, .. SettingGroups.Compute], config: true);
        command.SetAction(parse => Execute(options.Read(parse)));
        return command;
    }

    private static int Execute(SettingValues values)
    {
        var settings = DetectorSettings.From(values);
        var paths = ImagePaths.Expand(values.Get(Images));
        if (paths.Count < 2)
            throw new SettingException($"{Images.Option}: fit needs at least 2 normal images, to score each with a bank that has not seen it (calibration); found {paths.Count}");
        values.Set(Images, [.. values.Get(Images).Select(Path.GetFullPath)], values.Where(Images));
        var validation = values.Get(Validation) is { } folder ? MvtecLayoutDataset.LoadLabelled(folder) : null;
        if (validation is not null) values.Set(Validation, Path.GetFullPath(values.Get(Validation)!), values.Where(Validation));
        var device = Compute.Apply(values);
        using var output = ResultFolder.Open(values.Get(Out)!, "fit");
        using var extractor = FeatureExtractor.Create(settings, device, values.Get(Weights), where: values.Naming());
        Console.Error.WriteLine(extractor.Description);
        BankBound.Check(settings, paths.Count, BankBound.PatchesPerImage(settings.ImageSize, extractor.PatchSize), values.Naming());
        var batchSize = values.Get(BatchSize);
        var (model, calibration) = ProgressDisplay.Run(progress =>
            new CrossFitCalibration((p, stage) => extractor.Extract(p, batchSize, stage), extractor.Input, device, progress,
                    (p, stage) => References(extractor, settings, p, batchSize, stage))
                .Fit(settings, paths, values.Get(CalibrationFolds), validation, values.Get(Validation)));
        using (model)
        {
            model.Save(output.Staging, extractor.Record(), Recorded.Values(values, settings, extractor), Recorded.About("fit", extractor));
            calibration.Save(output.Staging);
            output.Publish();
            Console.WriteLine($"fitted on {paths.Count} images; memory bank of {model.BankSize} patches; saved to {output.Path}");
        }
        Console.WriteLine(Describe(calibration));
        return 0;
    }

    private static string Describe(Calibration calibration)
    {
        var scores = calibration.NormalImageScores;
        var text = $"calibration: {scores.Length} normal images scored by {calibration.Folds}-fold cross-fit, " +
            $"image scores {Number(scores[0])} to {Number(scores[^1])} (median {Number(scores[scores.Length / 2])})";
        if (calibration.Validation is { } v)
            text += $"\nvalidation: {v.NormalImages} normal and {v.DefectImages} defective images; F1-optimal image threshold {Number(v.ImageThreshold)} " +
                $"(F1 {v.ImageF1:P1})" + (v.PixelThreshold is { } pixel ? $", pixel threshold {Number(pixel)} (pixel F1 {v.PixelF1:P1})" : ", no masks: no pixel threshold");
        return text;
    }

    private static string Number(float value) => value.ToString("G5", System.Globalization.CultureInfo.InvariantCulture);

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

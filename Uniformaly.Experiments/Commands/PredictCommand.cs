using System.CommandLine;
using System.Globalization;
using Uniformaly.Experiments.Options;
using Uniformaly.Experiments.Terminal;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Features;
using Uniformaly.Research.Reporting;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;
using Uniformaly.Research.Visualization;
using static Uniformaly.Research.Settings.SettingTable;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly predict --model DIR --images DIR|FILE...</c>: score new images with a fitted detector.</summary>
public static class PredictCommand
{
    private static readonly Setting<string?> ModelFolder = OwnSettings.Path("model", "Model folder written by `uniformaly fit`");
    private static readonly Setting<string?> Out = OwnSettings.Path("out", "Also write the scores as CSV to this file", required: false);
    private static readonly Setting<string?> Heatmaps = OwnSettings.Path("heatmaps",
        "Write a heatmap overlay PNG per image into this folder (one colour scale for all)", required: false);

    public static Command Create()
    {
        var command = new Command("predict", "Score images with a fitted detector. " + CentreCrop.Help + " (the model's, as fit was given them)");
        var options = new SettingOptions(command, [ModelFolder, Images, Out, Heatmaps, Weights, .. SettingGroups.Compute]);
        command.SetAction(parse => Execute(options.Read(parse)));
        return command;
    }

    private static int Execute(SettingValues values)
    {
        var device = Compute.Apply(values);
        var folder = values.Get(ModelFolder)!;
        using var detector = UniformalyDetector.Load(folder, device);
        var paths = ImagePaths.Expand(values.Get(Images));
        using var heatmapFolder = values.Get(Heatmaps) is { } path ? ResultFolder.Open(path, "predict") : null;
        using var extractor = Extractor(detector, device, values.Get(Weights));
        if (detector.Checkpoint is null && extractor.WeightsFile is { } weights)
            Console.Error.WriteLine($"warning: {Path.GetFullPath(folder)} records no checkpoint hash (fitted by an earlier uniformaly), so {weights} " +
                "cannot be checked against the weights it was fitted with; fit it again to record them");
        var (scores, maps) = ProgressDisplay.Run(progress => Score(detector, extractor, paths, values.Get(BatchSize), progress));
        var table = new MarkdownTable(["image", "score"]);
        for (var i = 0; i < paths.Count; i++) table.Add(paths[i], scores[i].ToString("R", CultureInfo.InvariantCulture));
        if (heatmapFolder is not null)
        {
            SaveHeatmaps(extractor, heatmapFolder.Staging, paths, maps);
            heatmapFolder.Publish();
        }
        if (values.Get(Out) is { } csv) AtomicFile.WriteAllText(csv, table.ToCsv());
        Console.WriteLine(table.ToMarkdown());
        return 0;
    }

    /// <summary>The model's feature extractor; its settings not fitting the backbone means the folder was edited.</summary>
    private static FeatureExtractor Extractor(UniformalyDetector detector, Device device, string? weights)
    {
        try
        {
            return FeatureExtractor.Create(detector.Settings, device, weights, detector.Checkpoint, detector.SavedSettings!.Naming());
        }
        catch (SettingException e)
        {
            throw new InvalidDataException($"{e.Message}; the model folder is damaged: fit the model again", e);
        }
    }

    private static (List<float> Scores, List<float[]> Maps) Score(UniformalyDetector detector, FeatureExtractor extractor,
        IReadOnlyList<string> paths, int batchSize, IProgressSink progress)
    {
        var (scores, maps) = (new List<float>(), new List<float[]>());
        using var stage = progress.Begin("scoring", paths.Count);
        foreach (var features in extractor.Extract(paths, batchSize, stage))
        {
            using var result = detector.Predict(features);
            scores.AddRange(result.Scores.ToArray<float>());
            var all = result.Maps.ToArray<float>();
            var pixels = all.Length / (int)features.Batch;
            for (var i = 0; i < features.Batch; i++) maps.Add(all.AsSpan(i * pixels, pixels).ToArray());
        }
        return (scores, maps);
    }

    /// <summary>Overlays on one colour scale, from 0 to the largest map value, so calm images look
    /// calm; laid out like the inputs below their common folder, so equal file names cannot collide.</summary>
    private static void SaveHeatmaps(FeatureExtractor extractor, string folder, IReadOnlyList<string> paths, List<float[]> maps)
    {
        var max = maps.Max(m => m.Max());
        var root = CommonFolder(paths);
        for (var i = 0; i < paths.Count; i++)
        {
            var relative = Path.ChangeExtension(Path.GetRelativePath(root, paths[i]), null) + "_heatmap.png";
            extractor.Input.SavePng(Path.Combine(folder, relative), Heatmap.Overlay(extractor.Input.LoadCrop(paths[i]), maps[i], 0, max));
        }
    }

    private static string CommonFolder(IReadOnlyList<string> paths)
    {
        var common = Path.GetDirectoryName(paths[0])!;
        while (!paths.All(p => p.StartsWith(common + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            common = Path.GetDirectoryName(common)!;
        return common;
    }
}

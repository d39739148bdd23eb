using System.CommandLine;
using System.Globalization;
using Uniformaly.Experiments.Options;
using Uniformaly.Experiments.Terminal;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Reporting;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly predict --model DIR --images DIR|FILE...</c>: score new images with a fitted detector.</summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder written by `uniformaly fit`", Required = true };
        var images = new Option<string[]>("--images") { Description = "Images to score: files and/or folders", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string?>("--out") { Description = "Write the scores as CSV to this file" };
        var heatmaps = new Option<string?>("--heatmaps") { Description = "Write a heatmap overlay PNG per image into this folder (one colour scale for all)" };
        var compute = new ComputeOptions();
        var command = new Command("predict", "Score images with a fitted detector") { model, images, output, heatmaps };
        compute.AddTo(command);
        command.SetAction(parse =>
        {
            var device = compute.Apply(parse);
            var folder = parse.GetValue(model)!;
            using var detector = UniformalyDetector.Load(folder, device);
            var paths = ImagePaths.Expand(parse.GetValue(images)!);
            using var heatmapFolder = parse.GetValue(heatmaps) is { } path ? ResultFolder.Open(path, "predict") : null;
            using var backend = DetectorBackend.Create(detector.Settings, device, expected: detector.Checkpoint);
            if (detector.Checkpoint is null && backend.WeightsFile is { } weights)
                Console.Error.WriteLine($"warning: {Path.GetFullPath(folder)} records no checkpoint hash (fitted by an earlier uniformaly), so {weights} " +
                    "cannot be checked against the weights it was fitted with; fit it again to record them");
            var (scores, maps) = ProgressDisplay.Run(progress => Score(detector, backend, paths, parse.GetValue(compute.BatchSize), progress));
            var table = new MarkdownTable(["image", "score"]);
            for (var i = 0; i < paths.Count; i++) table.Add(paths[i], scores[i].ToString("R", CultureInfo.InvariantCulture));
            if (heatmapFolder is not null)
            {
                SaveHeatmaps(backend, heatmapFolder.Staging, paths, maps);
                heatmapFolder.Publish();
            }
            if (parse.GetValue(output) is { } csv) AtomicFile.WriteAllText(csv, table.ToCsv());
            Console.WriteLine(table.ToMarkdown());
            return 0;
        });
        return command;
    }

    private static (List<float> Scores, List<float[]> Maps) Score(UniformalyDetector detector, DetectorBackend backend,
        IReadOnlyList<string> paths, int batchSize, IProgressSink progress)
    {
        var (scores, maps) = (new List<float>(), new List<float[]>());
        using var stage = progress.Begin("scoring", paths.Count);
        foreach (var features in backend.Extract(paths, batchSize, stage))
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
    private static void SaveHeatmaps(DetectorBackend backend, string folder, IReadOnlyList<string> paths, List<float[]> maps)
    {
        var max = maps.Max(m => m.Max());
        var root = CommonFolder(paths);
        for (var i = 0; i < paths.Count; i++)
        {
            var relative = Path.ChangeExtension(Path.GetRelativePath(root, paths[i]), null) + "_heatmap.png";
            backend.Input.SavePng(Path.Combine(folder, relative), Heatmap.Overlay(backend.Input.LoadCrop(paths[i]), maps[i], 0, max));
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

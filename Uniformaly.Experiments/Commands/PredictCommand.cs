using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Uniformaly.Experiments.Options;
using Uniformaly.Experiments.Terminal;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Decisions;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Evaluation;
using Uniformaly.Research.Features;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Reporting;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;
using Uniformaly.Research.Visualization;
using static Uniformaly.Research.Settings.SettingTable;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly predict --model DIR --images DIR|FILE...</c>: score new images with a fitted detector and decide
/// which are anomalous (docs/method.md section 20).</summary>
public static class PredictCommand
{
    private static readonly Setting<string?> ModelFolder = OwnSettings.Path("model", "Model folder written by `uniformaly fit`");
    private static readonly Setting<string?> Out = OwnSettings.Path("out",
        "Also write the scores and decisions as CSV to this file, row by row as FILE.partial, renamed to FILE when complete; " +
        "an interrupted predict given the same --out resumes where it stopped", required: false);
    private static readonly Setting<string?> Heatmaps = OwnSettings.Path("heatmaps",
        "Write a heatmap overlay PNG per image into this folder (colour bar: the normalised pixel score, 0.5 at the pixel threshold)", required: false);
    private static readonly Setting<string?> Masks = OwnSettings.Path("masks",
        "Write a binary defect mask PNG per image, at the image's size, into this folder (white: pixels at or above the pixel threshold)", required: false);

    private static readonly string[] Header = ["image", "score", "normalised_score", "label", "note"];

    public static Command Create()
    {
        var command = new Command("predict", "Score images with a fitted detector and label them normal or anomalous. " + CentreCrop.Help +
            " (the model's, as fit was given them)");
        var options = new SettingOptions(command, [ModelFolder, Images, Out, Heatmaps, Masks, .. SettingGroups.Decision, SkipBadImages, Weights, .. SettingGroups.Compute]);
        command.SetAction(parse => Execute(options.Read(parse)));
        return command;
    }

    private static int Execute(SettingValues values)
    {
        var device = Compute.Apply(values);
        var folder = values.Get(ModelFolder)!;
        using var detector = UniformalyDetector.Load(folder, device);
        var decision = Decide(folder, values);
        if (decision is null && (values.Get(Heatmaps) ?? values.Get(Masks)) is not null)
            throw new SettingException($"{Heatmaps.Option} and {Masks.Option} need the model's calibration, which {Path.GetFullPath(folder)} lacks " +
                "(fitted by an earlier uniformaly): fit the model again");
        var paths = ImagePaths.Expand(values.Get(Images)).Distinct().ToList();
        using var extractor = Extractor(detector, device, values.Get(Weights));
        if (detector.Checkpoint is null && extractor.WeightsFile is { } weights)
            Console.Error.WriteLine($"warning: {Path.GetFullPath(folder)} records no checkpoint hash (fitted by an earlier uniformaly), so {weights} " +
                "cannot be checked against the weights it was fitted with; fit it again to record them");
        if (decision is not null) Console.Error.WriteLine($"decision: {decision.Promise}");
        var resumable = values.Get(Out) is not null;
        using var heatmaps = values.Get(Heatmaps) is { } h ? ResultFolder.Open(h, "predict", resumable) : null;
        using var masks = values.Get(Masks) is { } m ? ResultFolder.Open(m, "predict", resumable) : null;
        using var csv = values.Get(Out) is { } file ? ResumableCsv.Open(file, Header, Fingerprint(folder, decision, paths, values)) : null;
        if (csv is { Resumed: false })
        {
            heatmaps?.DiscardStaging();
            masks?.DiscardStaging();
        }
        if (csv is { Resumed: true }) Console.Error.WriteLine($"resuming {csv.PartialPath}: {csv.Done.Count} of {paths.Count} images were scored before");
        var todo = paths.Where(p => csv is null || !csv.Done.Contains(p)).ToList();
        var writer = new PredictionWriter(extractor.Input, detector.Settings.Resize, decision, heatmaps?.Staging, masks?.Staging, OutputNames(paths));
        var stream = new FeatureStream(extractor.Input, extractor, values.Get(BatchSize), values.Get(SkipBadImages));
        var printed = new MarkdownTable(Header);
        var (scored, anomalous) = ProgressDisplay.Run(progress => ScoreAll(detector, stream, writer, todo, rows => Emit(csv, printed, rows), progress));
        Emit(csv, printed, [.. stream.Skipped.Select(s => (IReadOnlyList<string>)[s.Sample.Path, "", "", "", $"skipped: {s.Reason}"])]);
        // The CSV first: once it is complete nothing is resumed, so a crash before the pictures are published
        // only means the next predict computes them again; published pictures without their CSV could be lost
        // by a resumed predict that had nothing left to stage.
        csv?.Complete();
        heatmaps?.Publish();
        masks?.Publish();
        if (csv is null) Console.WriteLine(printed.ToMarkdown());
        foreach (var (sample, reason) in stream.Skipped) Console.Error.WriteLine($"warning: skipped {sample.Path}: {reason}");
        Console.WriteLine($"scored {scored} images" + (decision is null ? "" : $", {anomalous} labelled anomalous") +
            (stream.Skipped.Count > 0 ? $"; skipped {stream.Skipped.Count} unreadable images (listed above{(csv is null ? "" : " and in the CSV")})" : "") +
            (csv is null ? "" : $"; scores in {Path.GetFullPath(values.Get(Out)!)}"));
        return 0;
    }

    /// <summary>Scores <paramref name="todo"/> batch by batch, handing each batch's rows on as soon as its pictures are written.</summary>
    /// <returns>How many images were scored, and how many of them labelled anomalous.</returns>
    private static (int Scored, int Anomalous) ScoreAll(UniformalyDetector detector, FeatureStream stream, PredictionWriter writer,
        IReadOnlyList<string> todo, Action<IReadOnlyList<IReadOnlyList<string>>> emit, IProgressSink progress)
    {
        var (scored, anomalous) = (0, 0);
        using var stage = progress.Begin("scoring", todo.Count);
        foreach (var (samples, features) in stream.Extract([.. todo.Select(Sample)], stage))
        {
            using var output = detector.Predict(features);
            var rows = writer.Write(samples, output.Scores.ToArray<float>(), output.Maps.ToArray<float>());
            emit(rows);
            scored += rows.Count;
            anomalous += rows.Count(r => r[3] == PredictionWriter.Anomalous);
        }
        return (scored, anomalous);
    }

    /// <summary>The thresholds of the chosen policy, or null (with a warning) for a model folder without calibration.</summary>
    private static DecisionThresholds? Decide(string folder, SettingValues values)
    {
        if (Calibration.Load(folder) is not { } calibration)
        {
            Console.Error.WriteLine($"warning: {Path.GetFullPath(folder)} has no {Calibration.FileName} (fitted by an earlier uniformaly): " +
                "raw scores only, no normalised scores or labels; fit the model again for them");
            return null;
        }
        try
        {
            return DecisionThresholds.Choose(calibration, values.Get(SettingTable.Decision), values.Get(FalseAlarmRate), w => Console.Error.WriteLine($"warning: {w}"));
        }
        catch (ArgumentException e)
        {
            throw new SettingException($"{SettingTable.Decision.Option} {SettingTable.Decision.Format(values.Get(SettingTable.Decision))}: {e.Message}");
        }
    }

    private static void Emit(ResumableCsv? csv, MarkdownTable printed, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        if (csv is not null) csv.Append(rows);
        else foreach (var row in rows) printed.Add([.. row]);
    }

    private static ImageSample Sample(string path) => new(path, path, "", "", 0, null);

    /// <summary>What the rows of an interrupted predict depend on: the model, its thresholds, the images and where pictures go.
    /// A resumed predict continues only when all are the same.</summary>
    private static string Fingerprint(string folder, DecisionThresholds? decision, IReadOnlyList<string> paths, SettingValues values)
    {
        var text = new StringBuilder();
        foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(file);
            text.Append(info.Name).Append(' ').Append(info.Length).Append(' ').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }
        text.Append(decision?.ImageThreshold.ToString("R", CultureInfo.InvariantCulture)).Append(' ')
            .Append(decision?.PixelThreshold.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        text.Append(Full(values.Get(Heatmaps))).Append('\n').Append(Full(values.Get(Masks))).Append('\n');
        foreach (var path in paths) text.Append(path).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string Full(string? path) => path is null ? "" : Path.GetFullPath(path);

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

    /// <summary>Each image's name in the heatmap and mask folders: its path below the images' common folder, extension
    /// kept (gray.png and gray.jpg stay apart), so equal file names in different folders cannot collide.</summary>
    private static Dictionary<string, string> OutputNames(IReadOnlyList<string> paths)
    {
        var common = Path.GetDirectoryName(paths[0])!;
        while (!paths.All(p => p.StartsWith(common.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            common = Path.GetDirectoryName(common)!;
        return paths.ToDictionary(p => p, p => Path.GetRelativePath(common, p));
    }
}

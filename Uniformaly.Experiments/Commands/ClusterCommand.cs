using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Uniformaly.Experiments.Options;
using Uniformaly.Experiments.Terminal;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Evaluation;
using Uniformaly.Research.Features;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Reporting;
using Uniformaly.Research.Settings;
using static Uniformaly.Research.Settings.SettingTable;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly cluster</c>: anomaly clustering per category (docs/method.md section 11).</summary>
public static class ClusterCommand
{
    private static readonly Setting<string?> Out = OwnSettings.Path("out", "Output folder");

    public static Command Create()
    {
        var command = new Command("cluster",
            "Cluster each category's test images by anomaly type; writes clusters.csv, clustering.json, settings.json and a scatter plot (PNG and SVG) per category");
        var options = new SettingOptions(command,
            [.. SettingGroups.Clustering, Out, .. SettingGroups.Fitting, .. SettingGroups.Caching, .. SettingGroups.Compute], config: true);
        command.SetAction(parse => Execute(options.Read(parse)));
        return command;
    }

    private static int Execute(SettingValues values)
    {
        var detector = DetectorSettings.From(values);
        if (DatasetKinds.IsSemantic(values.Get(Dataset)))
            throw new SettingException($"{values.Where(Dataset)}: cluster reads MVTec-layout datasets (mvtec, btad or folder), not {values.Get(Dataset)}");
        values.Set(DataRoot, Path.GetFullPath(values.Get(DataRoot)!), values.Where(DataRoot));
        var device = Compute.Apply(values);
        var options = MvtecLayoutRun.Options(values, detector, device, values.Get(Out)!);
        using var folder = ResultFolder.Open(options.OutputFolder, "cluster");
        using var extractor = FeatureExtractor.Create(detector, device, values.Get(Weights), where: values.Naming());
        Console.Error.WriteLine(extractor.Description);
        var selector = values.Get(Selector);
        var features = FeatureCaching.Wrap(values, extractor, detector, device);
        var results = ProgressDisplay.Run(progress =>
            new ClusteringEvaluation(extractor.Input, features, progress).Run(options, selector, values.Get(Clusters)));
        FeatureCaching.Report(values, features);
        Write(folder.Staging, results, Selector.Format(selector));
        SettingsFile.Write(Path.Combine(folder.Staging, SettingsFile.FileName), Recorded.Values(values, detector, extractor), Recorded.About("cluster", extractor));
        folder.Publish();
        Console.WriteLine(Markdown(results));
        Console.WriteLine($"results: {options.OutputFolder}");
        return 0;
    }

    private static void Write(string folder, IReadOnlyList<CategoryClustering> results, string selector)
    {
        var csv = new MarkdownTable(["category", "image", "anomaly_type", "cluster"]);
        foreach (var c in results)
        foreach (var image in c.Images)
            csv.Add(c.Category, image.Sample.RelativePath, image.Sample.AnomalyType, image.Cluster.ToString(CultureInfo.InvariantCulture));
        AtomicFile.WriteAllText(Path.Combine(folder, "clusters.csv"), csv.ToCsv());
        var json = new JsonObject { ["selector"] = selector };
        var categories = new JsonObject();
        foreach (var c in results)
            categories[c.Category] = new JsonObject { ["nmi"] = c.Nmi, ["ari"] = c.Ari, ["f1"] = c.F1, ["k"] = c.K, ["back_patch_masking"] = c.Masking!.ToJson() };
        json["categories"] = categories;
        var masking = Masking(results);
        json["mean"] = new JsonObject
        {
            ["nmi"] = results.Average(c => c.Nmi), ["ari"] = results.Average(c => c.Ari), ["f1"] = results.Average(c => c.F1),
            ["back_patch_masking"] = masking.ToJson(), ["back_patch_masking_note"] = masking.Sentence(),
        };
        AtomicFile.WriteAllText(Path.Combine(folder, "clustering.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        AtomicFile.WriteAllText(Path.Combine(folder, "clustering.md"), Markdown(results));
        foreach (var c in results) ClusteringFigure.Write(folder, c);
    }

    private static MaskedPatches Masking(IReadOnlyList<CategoryClustering> results) => MaskedPatches.Sum([.. results.Select(c => c.Masking!)]);

    /// <summary>clustering.md, as the command line prints it: the table, then what Back Patch Masking removed.</summary>
    private static string Markdown(IReadOnlyList<CategoryClustering> results) => $"{Table(results).ToMarkdown()}\n- {Masking(results).Sentence()}\n";

    private static MarkdownTable Table(IReadOnlyList<CategoryClustering> results)
    {
        var table = new MarkdownTable(["category", "k", "NMI", "ARI", "F1"]);
        foreach (var c in results)
            table.Add(c.Category, c.K.ToString(CultureInfo.InvariantCulture), MarkdownTable.Number(c.Nmi, 3), MarkdownTable.Number(c.Ari, 3), MarkdownTable.Number(c.F1, 3));
        if (results.Count > 1)
            table.Add("mean", "", MarkdownTable.Number(results.Average(c => c.Nmi), 3), MarkdownTable.Number(results.Average(c => c.Ari), 3), MarkdownTable.Number(results.Average(c => c.F1), 3));
        return table;
    }
}

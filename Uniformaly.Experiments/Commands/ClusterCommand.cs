using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Uniformaly.Experiments.Options;
using Uniformaly.Experiments.Terminal;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Evaluation;
using Uniformaly.Research.Reporting;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly cluster</c>: anomaly clustering per category (SPEC section 11).</summary>
public static class ClusterCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "mvtec, btad or folder", DefaultValueFactory = _ => "mvtec" };
        var dataRoot = new Option<string>("--data-root") { Description = "Folder holding the categories", Required = true };
        var categories = new Option<string>("--categories") { Description = "Comma list, or all", DefaultValueFactory = _ => "all" };
        var selector = new Option<string>("--selector") { Description = "Image feature: topk (the method), max or all (Table 8)", DefaultValueFactory = _ => "topk" };
        var clusters = new Option<int?>("--clusters") { Description = "k (default: the number of anomaly types in each category, as in the paper)" };
        var output = new Option<string>("--out") { Description = "Output folder", Required = true };
        var skipBad = new Option<bool>("--skip-bad-images") { Description = "Skip unreadable images with a warning" };
        var config = new Option<string?>(ConfigFile.OptionName) { Description = "YAML file with any of these options (the command line wins)" };
        var detector = new DetectorOptions();
        var compute = new ComputeOptions();
        var command = new Command("cluster", "Cluster each category's test images by anomaly type; writes clusters.csv, clustering.json and a scatter plot (PNG and SVG) per category")
        {
            dataset, dataRoot, categories, selector, clusters, output, skipBad, config,
        };
        detector.AddTo(command);
        compute.AddTo(command);
        command.SetAction(parse =>
        {
            var device = compute.Apply(parse);
            var patchSelector = parse.GetValue(selector)!.ToLowerInvariant() switch
            {
                "topk" => PatchSelector.TopK,
                "max" => PatchSelector.Max,
                "all" => PatchSelector.All,
                var other => throw new ArgumentException($"--selector: unknown selector '{other}' (topk, max, all)"),
            };
            var options = new EvaluationOptions
            {
                Dataset = DatasetKinds.Parse(parse.GetValue(dataset)!),
                DataRoot = Path.GetFullPath(parse.GetValue(dataRoot)!),
                Categories = parse.GetValue(categories)!,
                Detector = detector.Bind(parse),
                Device = device,
                BatchSize = parse.GetValue(compute.BatchSize),
                SkipBadImages = parse.GetValue(skipBad),
                OutputFolder = Path.GetFullPath(parse.GetValue(output)!),
            };
            using var folder = ResultFolder.Open(options.OutputFolder, "cluster");
            using var backend = DetectorBackend.Create(options.Detector, device);
            Console.Error.WriteLine(backend.Description);
            var results = ProgressDisplay.Run(progress => new ClusteringEvaluation(backend.Input, backend.Extractor, progress).Run(options, patchSelector, parse.GetValue(clusters)));
            Write(folder.Staging, results, parse.GetValue(selector)!);
            folder.Publish();
            Console.WriteLine(Table(results).ToMarkdown());
            Console.WriteLine($"results: {options.OutputFolder}");
            return 0;
        });
        return command;
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
        foreach (var c in results) categories[c.Category] = new JsonObject { ["nmi"] = c.Nmi, ["ari"] = c.Ari, ["f1"] = c.F1, ["k"] = c.K };
        json["categories"] = categories;
        json["mean"] = new JsonObject { ["nmi"] = results.Average(c => c.Nmi), ["ari"] = results.Average(c => c.Ari), ["f1"] = results.Average(c => c.F1) };
        AtomicFile.WriteAllText(Path.Combine(folder, "clustering.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        AtomicFile.WriteAllText(Path.Combine(folder, "clustering.md"), Table(results).ToMarkdown());
        foreach (var c in results) ClusteringFigure.Write(folder, c);
    }

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

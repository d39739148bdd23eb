using System.CommandLine;
using System.Text.Json.Nodes;
using Uniformaly.Experiments.Options;
using Uniformaly.Experiments.Terminal;
using Uniformaly.Research.Data;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Evaluation;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly run</c>: fit and evaluate UniFormaly on an MVTec-layout dataset in one go.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "mvtec, btad or folder (any MVTec-layout tree)", DefaultValueFactory = _ => "mvtec" };
        var dataRoot = new Option<string>("--data-root") { Description = "Folder holding the categories", Required = true };
        var categories = new Option<string>("--categories") { Description = "Comma list, or all", DefaultValueFactory = _ => "all" };
        var multiclass = new Option<bool>("--multiclass") { Description = "One memory bank for all categories (multi-class protocol)" };
        var lowShot = new Option<int?>("--low-shot") { Description = "Training images per category, drawn with --seed" };
        var output = new Option<string>("--out") { Description = "Output folder", Required = true };
        var saveMaps = new Option<bool>("--save-maps") { Description = "Write heatmap overlays (PNG) under OUT/maps" };
        var skipBad = new Option<bool>("--skip-bad-images") { Description = "Skip unreadable images with a warning" };
        var config = new Option<string?>(ConfigFile.OptionName) { Description = "YAML file with any of these options (the command line wins)" };
        var detector = new DetectorOptions();
        var compute = new ComputeOptions();
        var command = new Command("run", "Fit and evaluate on an MVTec-layout dataset; writes scores.csv, metrics.json, settings.json")
        {
            dataset, dataRoot, categories, multiclass, lowShot, output, saveMaps, skipBad, config,
        };
        detector.AddTo(command);
        compute.AddTo(command);
        command.SetAction(parse =>
        {
            var device = compute.Apply(parse);
            var options = new EvaluationOptions
            {
                Dataset = DatasetKinds.Parse(parse.GetValue(dataset)!),
                DataRoot = Path.GetFullPath(parse.GetValue(dataRoot)!),
                Categories = parse.GetValue(categories)!,
                MultiClass = parse.GetValue(multiclass),
                LowShot = parse.GetValue(lowShot),
                Detector = detector.Bind(parse),
                Device = device,
                BatchSize = parse.GetValue(compute.BatchSize),
                SaveMaps = parse.GetValue(saveMaps),
                SkipBadImages = parse.GetValue(skipBad),
                OutputFolder = Path.GetFullPath(parse.GetValue(output)!),
            };
            return Execute(options);
        });
        return command;
    }

    private static int Execute(EvaluationOptions options)
    {
        using var backend = DetectorBackend.Create(options.Detector, options.Device);
        Console.Error.WriteLine(backend.Description);
        var result = ProgressDisplay.Run(progress =>
            new DetectionEvaluation(backend.Input, backend.Extractor, progress).Run(options));
        EvaluationWriter.Write(options.OutputFolder, result, Settings(options, backend.Description));
        foreach (var warning in result.Warnings) Console.Error.WriteLine($"warning: {warning}");
        Console.WriteLine(EvaluationWriter.Table(result).ToMarkdown());
        Console.WriteLine($"results: {options.OutputFolder}");
        return 0;
    }

    /// <summary>Everything the run used, for settings.json.</summary>
    private static JsonObject Settings(EvaluationOptions options, string backbone) => new()
    {
        ["dataset"] = options.Dataset.ToString().ToLowerInvariant(),
        ["data_root"] = options.DataRoot,
        ["categories"] = options.Categories,
        ["multiclass"] = options.MultiClass,
        ["low_shot"] = options.LowShot,
        ["device"] = options.Device.ToString(),
        ["batch_size"] = options.BatchSize,
        ["backbone_loaded"] = backbone,
        ["detector"] = JsonNode.Parse(options.Detector.ToJson()),
        ["libtorch"] = Research.Torch.TorchRuntime.Version,
        ["threads"] = Research.Torch.TorchRuntime.NumThreads,
        ["uniformaly"] = typeof(RunCommand).Assembly.GetName().Version?.ToString(),
    };
}

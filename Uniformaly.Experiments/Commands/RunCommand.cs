using System.CommandLine;
using System.Text.Json.Nodes;
using Uniformaly.Experiments.Options;
using Uniformaly.Experiments.Terminal;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Evaluation;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly run</c>: fit and evaluate UniFormaly in one go, on defect (MVTec-layout) or semantic (CIFAR, ImageFolder) data.</summary>
public static class RunCommand
{
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "mvtec, btad, folder (any MVTec-layout tree), cifar10, cifar100 or imagefolder", DefaultValueFactory = _ => "mvtec" };
        var normal = new Option<string?>("--normal") { Description = "Semantic datasets: normal class(es) by index or name, e.g. 3 or 0,1,2,3,4 or cat" };
        var normalSplit = new Option<string?>("--normal-split") { Description = "Species-60 multi-class split A-E (Table 13) as the normal classes" };
        var trainSplit = new Option<string>("--train-split") { Description = "imagefolder: folder of the training split", DefaultValueFactory = _ => "train" };
        var testSplit = new Option<string>("--test-split") { Description = "imagefolder: folder of the test split", DefaultValueFactory = _ => "test" };
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
        var command = new Command("run", "Fit and evaluate on an MVTec-layout, CIFAR or ImageFolder dataset; writes scores.csv, metrics.json, settings.json")
        {
            dataset, dataRoot, categories, multiclass, lowShot, output, saveMaps, skipBad, config, normal, normalSplit, trainSplit, testSplit,
        };
        detector.AddTo(command);
        compute.AddTo(command);
        command.SetAction(parse =>
        {
            var device = compute.Apply(parse);
            if (IsSemantic(parse.GetValue(dataset)!))
                return ExecuteSemantic(parse.GetValue(dataset)!, detector.Bind(parse), device, new SemanticArguments(
                    parse.GetValue(dataRoot)!, parse.GetValue(normal), parse.GetValue(normalSplit), parse.GetValue(trainSplit)!,
                    parse.GetValue(testSplit)!, parse.GetValue(lowShot), parse.GetValue(compute.BatchSize), parse.GetValue(output)!));
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

    private static bool IsSemantic(string dataset) => dataset.ToLowerInvariant() is "cifar10" or "cifar100" or "imagefolder";

    private sealed record SemanticArguments(string DataRoot, string? Normal, string? NormalSplit, string TrainSplit, string TestSplit,
        int? LowShot, int BatchSize, string Output);

    /// <summary>Semantic anomaly detection: normal classes against the rest of the test set (image metrics).</summary>
    private static int ExecuteSemantic(string kind, DetectorSettings settings, Research.Torch.Device device, SemanticArguments a)
    {
        if ((a.Normal is null) == (a.NormalSplit is null)) throw new ArgumentException($"--dataset {kind} needs exactly one of --normal and --normal-split");
        using var backend = DetectorBackend.Create(settings, device);
        Console.Error.WriteLine(backend.Description);
        var preprocessor = new Research.Imaging.ImagePreprocessor(settings.Resize, settings.ImageSize);
        var data = SemanticDataset.Open(kind, Path.GetFullPath(a.DataRoot), preprocessor, a.TrainSplit, a.TestSplit);
        var normalClasses = a.Normal is not null
            ? NormalClasses.Parse(a.Normal, data.ClassNames)
            : NormalClasses.Parse(string.Join(",", Species60Splits.Get(a.NormalSplit!)), data.ClassNames);
        var options = new SemanticOptions { NormalClasses = normalClasses, Detector = settings, Device = device, BatchSize = a.BatchSize, LowShot = a.LowShot };
        using var output = ResultFolder.Open(a.Output, "run");
        var category = ProgressDisplay.Run(progress => new SemanticEvaluation(data, backend.Extractor, progress).Run(options));
        var result = new EvaluationResult([category], []);
        EvaluationWriter.Write(output.Staging, result, new JsonObject
        {
            ["dataset"] = kind,
            ["data_root"] = Path.GetFullPath(a.DataRoot),
            ["normal_classes"] = new JsonArray([.. normalClasses.Select(c => JsonValue.Create(c))]),
            ["low_shot"] = a.LowShot,
            ["device"] = device.ToString(),
            ["batch_size"] = a.BatchSize,
            ["backbone_loaded"] = backend.Description,
            ["detector"] = JsonNode.Parse(settings.ToJson()),
            ["libtorch"] = Research.Torch.TorchRuntime.Version,
        });
        output.Publish();
        Console.WriteLine(EvaluationWriter.Table(result).ToMarkdown());
        Console.WriteLine($"results: {output.Path}");
        return 0;
    }

    private static int Execute(EvaluationOptions options)
    {
        var splits = DetectionEvaluation.LoadSplits(options); // bad data fails before a model is loaded
        using var output = ResultFolder.Open(options.OutputFolder, "run");
        using var backend = DetectorBackend.Create(options.Detector, options.Device);
        Console.Error.WriteLine(backend.Description);
        var result = ProgressDisplay.Run(progress =>
            new DetectionEvaluation(backend.Input, backend.Extractor, progress).Run(options with { OutputFolder = output.Staging }, splits));
        EvaluationWriter.Write(output.Staging, result, Settings(options, backend.Description));
        output.Publish();
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

using System.CommandLine;
using Uniformaly.Experiments.Options;
using Uniformaly.Experiments.Terminal;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Evaluation;
using Uniformaly.Research.Features;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;
using static Uniformaly.Research.Settings.SettingTable;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly run</c>: fit and evaluate UniFormaly in one go, on defect (MVTec-layout) or semantic (CIFAR, ImageFolder) data.</summary>
public static class RunCommand
{
    private static readonly Setting<string?> Out = OwnSettings.Path("out", "Output folder");

    public static Command Create()
    {
        var command = new Command("run", "Fit and evaluate on an MVTec-layout, CIFAR or ImageFolder dataset; writes scores.csv, metrics.json, settings.json. " +
            CentreCrop.Help);
        var options = new SettingOptions(command, [.. SettingGroups.Data, Out, SaveMaps, .. SettingGroups.Fitting, .. SettingGroups.Caching, .. SettingGroups.Compute], config: true);
        command.SetAction(parse => Execute(options.Read(parse)));
        return command;
    }

    private static int Execute(SettingValues values)
    {
        var detector = DetectorSettings.From(values);
        var dataset = values.Get(Dataset);
        var semantic = DatasetKinds.IsSemantic(dataset);
        if (semantic && values.Get(Normal) is null == values.Get(NormalSplit) is null)
            throw new SettingException($"--dataset {dataset} needs exactly one of {Normal.Option} and {NormalSplit.Option}");
        if (!semantic && (values.IsGiven(Normal) || values.IsGiven(NormalSplit)))
            throw new SettingException($"{Normal.Option} and {NormalSplit.Option} choose the normal classes of cifar10, cifar100 and imagefolder, not of --dataset {dataset}");
        values.Set(DataRoot, Path.GetFullPath(values.Get(DataRoot)!), values.Where(DataRoot));
        var device = Compute.Apply(values);
        return semantic ? ExecuteSemantic(values, detector, device) : ExecuteDefect(values, detector, device);
    }

    /// <summary>Semantic anomaly detection: normal classes against the rest of the test set (image metrics).</summary>
    private static int ExecuteSemantic(SettingValues values, DetectorSettings detector, Device device)
    {
        var kind = values.Get(Dataset);
        var data = SemanticDataset.Open(kind, values.Get(DataRoot)!, new ImagePreprocessor(detector.Resize, detector.ImageSize),
            values.Get(TrainSplit), values.Get(TestSplit));
        var normalClasses = values.Get(Normal) is { } normal
            ? NormalClasses.Parse(normal, data.ClassNames, values.Where(Normal))
            : NormalClasses.Parse(string.Join(",", Species60Splits.Get(values.Get(NormalSplit)!)), data.ClassNames, values.Where(NormalSplit));
        using var output = ResultFolder.Open(values.Get(Out)!, "run");
        using var extractor = FeatureExtractor.Create(detector, device, values.Get(Weights), where: values.Naming());
        Console.Error.WriteLine(extractor.Description);
        var features = FeatureCaching.Wrap(values, extractor, detector, device);
        var options = new SemanticOptions
        {
            NormalClasses = normalClasses, Detector = detector, SettingNames = values.Naming(), Device = device, BatchSize = values.Get(BatchSize), LowShot = values.Get(SettingTable.LowShot),
        };
        var category = ProgressDisplay.Run(progress => new SemanticEvaluation(data, features, progress).Run(options));
        FeatureCaching.Report(values, features);
        var result = new EvaluationResult([category], []) { Masking = category.Masking };
        EvaluationWriter.Write(output.Staging, result, Recorded.Values(values, detector, extractor), Recorded.About("run", extractor));
        output.Publish();
        Console.WriteLine(EvaluationWriter.Markdown(result));
        Console.WriteLine($"results: {output.Path}");
        return 0;
    }

    private static int ExecuteDefect(SettingValues values, DetectorSettings detector, Device device)
    {
        var options = MvtecLayoutRun.Options(values, detector, device, values.Get(Out)!);
        var splits = DetectionEvaluation.LoadSplits(options); // bad data fails before a model is loaded
        using var output = ResultFolder.Open(options.OutputFolder, "run");
        using var extractor = FeatureExtractor.Create(detector, device, values.Get(Weights), where: values.Naming());
        Console.Error.WriteLine(extractor.Description);
        var features = FeatureCaching.Wrap(values, extractor, detector, device);
        var result = ProgressDisplay.Run(progress =>
            new DetectionEvaluation(extractor.Input, features, progress).Run(options with { OutputFolder = output.Staging }, splits));
        FeatureCaching.Report(values, features);
        EvaluationWriter.Write(output.Staging, result, Recorded.Values(values, detector, extractor), Recorded.About("run", extractor));
        output.Publish();
        foreach (var warning in result.Warnings) Console.Error.WriteLine($"warning: {warning}");
        Console.WriteLine(EvaluationWriter.Markdown(result));
        Console.WriteLine("Thresholds at F1-max (score at or above: anomalous):");
        Console.WriteLine(EvaluationWriter.ThresholdTable(result).ToMarkdown());
        Console.WriteLine($"results: {options.OutputFolder}");
        return 0;
    }
}

using System.CommandLine;
using Uniformaly.Experiments.Options;
using Uniformaly.Experiments.Reproduction;
using Uniformaly.Experiments.Terminal;
using Uniformaly.Research.Caching;
using Uniformaly.Research.Models;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly reproduce table9 --data-root DIR</c>: a table or figure of the paper, ours beside the paper's numbers.</summary>
public static class ReproduceCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = $"{string.Join(", ", ExperimentLibrary.Names)}, all, or a path to an experiment .yaml" };
        var dataRoot = new Option<string>("--data-root") { Description = "Folder with one folder per dataset: mvtec, btad, mtd, cpd, cifar10, cifar100, imagenet30, species60", Required = true };
        var weights = new Option<string?>("--weights") { Description = $"Folder of the official checkpoints (default: {Backbones.DefaultWeightsFolders})" };
        var output = new Option<string>("--out") { Description = "Results go to OUT/<name>/", DefaultValueFactory = _ => "out/reproduce" };
        var backbone = new Option<string?>("--backbone") { Description = "Use this backbone instead of the paper's (e.g. dino_vits16, random_vits16)" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Use this checkpoint file instead of the paper's backbone" };
        var categories = new Option<string?>("--categories") { Description = "Only these categories of defect and clustering tasks (comma list), for quick runs" };
        var classes = new Option<string?>("--classes") { Description = "Only these normal classes (names or indices) of one-class semantic tasks, for quick runs" };
        var set = new Option<string[]>("--set") { Description = "Override a detector setting of every task, e.g. --set sampler-ratio=0.01 (repeatable)", AllowMultipleArgumentsPerToken = false };
        var cacheDir = new Option<string?>("--cache-dir") { Description = "Feature cache folder (default: $UNIFORMALY_CACHE or ~/.cache/uniformaly/features)" };
        var cacheLimit = new Option<double>("--cache-limit-gb") { Description = "Feature cache size limit; least recently used entries go first", DefaultValueFactory = _ => 20 };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not keep backbone features on disk (sweeps then rerun the backbone per point)" };
        var compute = new ComputeOptions();
        var command = new Command("reproduce", "Reproduce a table or figure of the UniFormaly paper: our numbers beside the paper's, as Markdown, CSV and SVG")
        {
            name, dataRoot, weights, output, backbone, checkpoint, categories, classes, set, cacheDir, cacheLimit, noCache,
        };
        compute.AddTo(command);
        command.SetAction(parse =>
        {
            var device = compute.Apply(parse);
            if (parse.GetValue(backbone) is not null && parse.GetValue(checkpoint) is not null)
                throw new ArgumentException("give either --backbone or --checkpoint, not both");
            if (parse.GetValue(cacheLimit) <= 0) throw new ArgumentException("--cache-limit-gb must be positive");
            var options = new ReproductionOptions
            {
                DataRoot = RequireFolder(parse.GetValue(dataRoot)!),
                Output = Path.GetFullPath(parse.GetValue(output)!),
                Device = device,
                BatchSize = parse.GetValue(compute.BatchSize),
                WeightsFolder = parse.GetValue(weights),
                Backbone = parse.GetValue(backbone),
                Checkpoint = parse.GetValue(checkpoint) is { } file ? Path.GetFullPath(file) : null,
                Categories = parse.GetValue(categories),
                Classes = parse.GetValue(classes),
                Overrides = (parse.GetValue(set) ?? []).Select(ParseOverride).ToList(),
                CacheRoot = parse.GetValue(noCache) ? null : parse.GetValue(cacheDir) ?? FeatureCache.DefaultRoot,
                CacheLimitBytes = (long)(parse.GetValue(cacheLimit) * (1L << 30)),
            };
            var which = parse.GetValue(name)!;
            var definitions = which == "all" ? ExperimentLibrary.Names.Select(ExperimentLibrary.Load).ToList() : [ExperimentLibrary.Load(which)];
            var nothingRan = new List<ExperimentDefinition>();
            foreach (var definition in definitions)
                if (!Reproduce(definition, options)) nothingRan.Add(definition);
            if (nothingRan.Count == definitions.Count) throw new ArgumentException("nothing ran: " + WhyNothingRan(definitions, options.DataRoot));
            foreach (var definition in nothingRan) Console.WriteLine($"{definition.Name}: nothing ran: none of its datasets is under --data-root (see the skipped tasks above)");
            return 0;
        });
        return command;
    }

    /// <summary>Runs one reproduction and writes its report; false when none of its tasks could run
    /// (then nothing is written, so an earlier report stays).</summary>
    private static bool Reproduce(ExperimentDefinition definition, ReproductionOptions options)
    {
        var (result, report) = ProgressDisplay.Run(progress =>
        {
            using var runner = new ReproductionRunner(definition, options, progress, ProgressDisplay.Log);
            var result = runner.Run();
            return (result, result.Cells.Count == 0 ? null : runner.Report(result));
        });
        if (report is null) return false;
        Console.WriteLine(report);
        if (result.Skipped.Count > 0)
            Console.WriteLine($"note: {result.Skipped.Count} of {definition.Tasks.Count} tasks skipped, their data missing under --data-root: " +
                string.Join(", ", result.Skipped.Select(s => s.Task)));
        Console.WriteLine($"results: {ReproductionRunner.FolderOf(definition, options)}");
        return true;
    }

    /// <summary>Why no task found its data: the data root given is one dataset's own folder, or none
    /// of the datasets is under it.</summary>
    private static string WhyNothingRan(IReadOnlyList<ExperimentDefinition> definitions, string dataRoot)
    {
        var needed = string.Join(", ", definitions.SelectMany(d => d.Tasks).Select(t => t.Data + "/").Distinct());
        return DatasetCatalog.DataRootAdvice(dataRoot) is { } advice
            ? $"--data-root is the folder that holds {needed}; {advice}"
            : $"none of the datasets {(definitions.Count == 1 ? definitions[0].Name + " needs" : "the reproductions need")} ({needed}) is under --data-root {dataRoot}; " +
              "the skipped tasks above say where to get each";
    }

    private static string RequireFolder(string path) =>
        Directory.Exists(path) ? Path.GetFullPath(path) : throw new DirectoryNotFoundException($"--data-root: folder not found: {path}");

    private static KeyValuePair<string, string> ParseOverride(string text)
    {
        var parts = text.Split('=', 2, StringSplitOptions.TrimEntries);
        return parts.Length == 2 && parts[0].Length > 0 ? KeyValuePair.Create(parts[0], parts[1])
            : throw new ArgumentException($"--set expects key=value, got '{text}'");
    }
}

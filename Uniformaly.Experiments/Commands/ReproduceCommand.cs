using System.CommandLine;
using Uniformaly.Experiments.Options;
using Uniformaly.Experiments.Reproduction;
using Uniformaly.Experiments.Terminal;
using Uniformaly.Research.Caching;
using Uniformaly.Research.Common;
using Uniformaly.Research.Settings;
using static Uniformaly.Research.Settings.SettingTable;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly reproduce table9 --data-root DIR</c>: a table or figure of the paper, ours beside the paper's numbers.</summary>
public static class ReproduceCommand
{
    private static readonly Setting<string> Out = OwnSettings.Path("out", "Results go to OUT/<name>/", "out/reproduce");
    private static readonly Setting<string?> Classes = OwnSettings.Text("classes",
        "Only these normal classes (names or indices) of one-class semantic tasks, for quick runs", "class names or indices, comma-separated");
    private static readonly Setting<bool> NoCache = OwnSettings.Flag("no-cache", "Do not keep backbone features on disk (sweeps then rerun the backbone per point)");

    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = $"{string.Join(", ", ExperimentLibrary.Names)}, all, or a path to an experiment .yaml" };
        var set = new Option<string[]>("--set")
        {
            Description = $"Override a setting of every task, e.g. --set sampler-ratio=0.01 (repeatable): {TextList.Commas(SettingGroups.Cell.Select(s => s.Name))}",
            HelpName = "setting=value",
        };
        set.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                try
                {
                    Override(token.Value);
                }
                catch (SettingException e)
                {
                    result.AddError(e.Message);
                }
            }
        });
        var command = new Command("reproduce", "Reproduce a table or figure of the UniFormaly paper: our numbers beside the paper's, as Markdown, CSV and SVG") { name, set };
        var options = new SettingOptions(command, [DataRoot, Weights, Out, Backbone, Checkpoint, Categories, Classes, .. SettingGroups.Caching, NoCache, .. SettingGroups.Compute],
            defaults: new Dictionary<Setting, object?> { [Backbone] = null, [Categories] = null }); // each definition's own unless given
        command.SetAction(parse =>
        {
            var values = options.Read(parse);
            var reproduction = new ReproductionOptions
            {
                DataRoot = RequireFolder(values.Get(DataRoot)!),
                Output = Path.GetFullPath(values.Get(Out)),
                Device = Compute.Apply(values),
                BatchSize = values.Get(BatchSize),
                WeightsFolder = values.Get(Weights),
                Backbone = values.Get(Backbone),
                Checkpoint = values.Get(Checkpoint) is { } file ? Path.GetFullPath(file) : null,
                Categories = values.IsGiven(Categories) ? values.Get(Categories) : null,
                Classes = values.Get(Classes),
                Overrides = (parse.GetValue(set) ?? []).Select(Override).ToList(),
                CacheRoot = values.Get(NoCache) ? null : values.Get(CacheDir) ?? FeatureCache.DefaultRoot,
                CacheLimitBytes = FeatureCaching.LimitBytes(values),
            };
            if (reproduction.Backbone is not null && reproduction.Checkpoint is not null)
                throw new SettingException($"{Backbone.Option} and {Checkpoint.Option} exclude each other: give one of them");
            var which = parse.GetValue(name)!;
            var definitions = which == "all" ? ExperimentLibrary.Names.Select(ExperimentLibrary.Load).ToList() : [ExperimentLibrary.Load(which)];
            var nothingRan = new List<ExperimentDefinition>();
            foreach (var definition in definitions)
                if (!Reproduce(definition, reproduction)) nothingRan.Add(definition);
            if (nothingRan.Count == definitions.Count) throw new ArgumentException("nothing ran: " + WhyNothingRan(definitions, reproduction.DataRoot));
            foreach (var definition in nothingRan) Console.WriteLine($"{definition.Name}: nothing ran: none of its datasets is under --data-root (see the skipped tasks above)");
            return 0;
        });
        return command;
    }

    /// <summary>--set KEY=VALUE as a checked cell setting.</summary>
    private static SettingText Override(string text)
    {
        var parts = text.Split('=', 2, StringSplitOptions.TrimEntries);
        return parts.Length == 2 && parts[0].Length > 0 ? SettingText.Of(SettingGroups.Cell, parts[0], parts[1], $"--set {parts[0]}")
            : throw new SettingException($"--set: '{text}' is not setting=value (e.g. --set sampler-ratio=0.01)");
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
}

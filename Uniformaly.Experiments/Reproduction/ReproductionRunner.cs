using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Uniformaly.Research.Caching;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Evaluation;
using Uniformaly.Research.Features;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Models;
using Uniformaly.Research.Scoring;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;
using static Uniformaly.Research.Settings.SettingTable;

namespace Uniformaly.Experiments.Reproduction;

/// <summary>A task that did not run, and why (usually: its dataset is not under --data-root).</summary>
public sealed record SkippedTask(string Task, string Reason);

/// <summary>Everything a reproduction measured.</summary>
public sealed record ReproductionResult(IReadOnlyList<CellResult> Cells, IReadOnlyList<SkippedTask> Skipped,
    IReadOnlyList<string> Backbones, int ReusedCells, int FeatureCacheHits, int FeatureCacheMisses);

/// <summary>
/// Runs every (task, sweep point) cell of an <see cref="ExperimentDefinition"/>. The backbone sits
/// behind the feature cache, so the cells of a sweep run it once per image; each finished cell is
/// saved with the fingerprint of its inputs, so an interrupted reproduction resumes where it stopped.
/// OUT/NAME is a <see cref="ResultFolder"/>, held from the first cell to disposal (a reproduction
/// none of whose data is there creates nothing): each cell is published on its own when finished,
/// the report when all are.
/// </summary>
public sealed class ReproductionRunner(ExperimentDefinition definition, ReproductionOptions options, IProgressSink progress, TextWriter log)
    : IDisposable
{
    /// <summary>Preprocessed images kept in memory across the points of a sweep (the images of a few
    /// MVTec categories at 224 px), so each point does not decode and resize them again.</summary>
    private const long ImageMemoryBytes = 1L << 30;

    /// <summary>OUT/NAME/cells/&lt;task&gt;/&lt;point&gt;/: one folder per cell, each published when it finishes.</summary>
    private const string CellsFolder = "cells";

    private ResultFolder? _output;

    private ResultFolder Output => _output ??= ResultFolder.Open(FolderOf(definition, options), "reproduce");

    private readonly Dictionary<string, (FeatureExtractor Owner, IImageInput Input, CachedFeatureExtractor? Cached)> _extractors = [];

    /// <summary>Where a reproduction's results go: OUT/&lt;name&gt;.</summary>
    public static string FolderOf(ExperimentDefinition definition, ReproductionOptions options) => Path.Combine(options.Output, definition.Name);

    private string Folder => FolderOf(definition, options);

    public ReproductionResult Run()
    {
        var cells = new List<CellResult>();
        var skipped = new List<SkippedTask>();
        var reused = 0;
        var total = definition.Tasks.Count * definition.Points.Count;
        var runnable = new List<TaskDefinition>();
        foreach (var task in definition.Tasks)
        {
            if (DatasetCatalog.Missing(options.DataRoot, task.Data) is { } reason)
            {
                skipped.Add(new SkippedTask(task.Name, reason));
                log.WriteLine($"{definition.Name}: skipping {task.Name}: {reason}");
            }
            else runnable.Add(task);
        }
        foreach (var task in runnable)
        foreach (var point in definition.Points)
            Resolve(task, point); // every cell's settings (backbone names included) checked before the first runs
        if (runnable.Count > 0) _ = Output; // the lock, and any interrupted publish finished, before a cell is read
        foreach (var task in runnable)
        {
            foreach (var point in definition.Points)
            {
                var (cell, wasReused) = RunCell(task, point);
                cells.Add(cell);
                reused += wasReused ? 1 : 0;
                log.WriteLine($"{definition.Name}: {task.Name}{PointText(point)} {(wasReused ? "already done" : $"done in {cell.Seconds:F1} s")} ({cells.Count + skipped.Count * definition.Points.Count}/{total} cells)");
            }
        }
        var caches = _extractors.Values.Select(b => b.Cached).OfType<CachedFeatureExtractor>().ToList();
        return new ReproductionResult(cells, skipped, _extractors.Values.Select(b => b.Owner.Description).Distinct().ToList(), reused,
            caches.Sum(c => c.Hits), caches.Sum(c => c.Misses));
    }

    /// <summary>Writes the report of <paramref name="result"/> (<see cref="ReproductionReport"/>) and
    /// publishes it beside the cells; returns its Markdown.</summary>
    public string Report(ReproductionResult result)
    {
        var markdown = ReproductionReport.Write(Output.Staging, definition, result, options);
        Output.Publish(keep: CellsFolder);
        return markdown;
    }

    private string PointText(string? point) => point is null ? "" : $" {definition.Sweep!.Parameter}={point}";

    private (CellResult Cell, bool Reused) RunCell(TaskDefinition task, string? point)
    {
        var cellSetup = Resolve(task, point);
        var relative = Path.Combine(CellsFolder, Safe(task.Name), point is null ? "run" : Safe($"{definition.Sweep!.Parameter}_{point}"));
        var fingerprint = Fingerprint(task, cellSetup);
        if (CellResult.TryLoad(Path.Combine(Folder, relative, CellResult.FileName), fingerprint) is { } done) return (done, true);
        var folder = Path.Combine(Output.Staging, relative);
        var clock = Stopwatch.StartNew();
        var (units, masking) = task.Protocol switch
        {
            Protocol.Detection => Detect(task, cellSetup, folder, IsDefault(task, cellSetup)),
            Protocol.Semantic => Semantic(task, cellSetup),
            _ => Cluster(task, cellSetup, folder, IsDefault(task, cellSetup)),
        };
        var cell = new CellResult(task.Name, point, fingerprint, units, clock.Elapsed.TotalSeconds) { Masking = masking };
        cell.Save(Path.Combine(folder, CellResult.FileName));
        Output.PublishPart(relative);
        return (cell, false);
    }

    /// <summary>Whether a cell has the task's own settings (no sweep, or the sweep value the task
    /// would use anyway): galleries, curves and scatter plots are drawn there only, so sweeps do not pay for them at every point.</summary>
    private bool IsDefault(TaskDefinition task, CellSetup setup)
    {
        var plain = Resolve(task, null);
        return plain.Settings.Text == setup.Settings.Text && plain.LowShot == setup.LowShot && plain.Selector == setup.Selector;
    }

    /// <summary>The settings of one cell: the detector's, low-shot and the clustering feature, and
    /// all of them as values (for the cell's settings.json).</summary>
    private sealed record CellSetup(DetectorSettings Settings, int? LowShot, PatchSelector Selector, SettingValues Values);

    /// <summary>The table's defaults, the backbone (the user's, the task's or the definition's), then the definition's
    /// settings, the task's, --set, and the sweep point's, each checked when its file was read.</summary>
    private CellSetup Resolve(TaskDefinition task, string? point)
    {
        var values = new SettingValues([Backbone, Checkpoint, .. SettingGroups.Cell]);
        if (options.Checkpoint is { } checkpoint) values.Set(Checkpoint, checkpoint, Checkpoint.Option);
        else if (options.Backbone is { } backbone) values.Set(Backbone, backbone, Backbone.Option);
        else
        {
            var where = task.Backbone is null ? $"{definition.Source}: backbone" : $"{definition.Source}: {task.Name}: backbone";
            values.Set(Backbone, Backbone.Parse(task.Backbone ?? definition.Backbone, where), where);
        }
        var pointSettings = point is null ? [] : definition.Sweep!.Point(point).Settings;
        foreach (var entry in definition.Settings.Concat(task.Settings).Concat(options.Overrides).Concat(pointSettings))
            entry.ApplyTo(values);
        return new CellSetup(DetectorSettings.From(values), values.Get(SettingTable.LowShot), values.Get(Selector), values);
    }

    /// <param name="paperSetting">The cell is at the paper's setting: it also gets heatmap galleries and curve figures.</param>
    private (IReadOnlyList<UnitResult>, MaskedPatches) Detect(TaskDefinition task, CellSetup setup, string folder, bool paperSetting)
    {
        var (owner, input, extractor) = Extractor(setup);
        var evaluation = MvtecLayout(task, setup, folder) with { GalleryImages = paperSetting ? definition.Gallery : 0 };
        var result = new DetectionEvaluation(input, extractor, progress).Run(evaluation);
        EvaluationWriter.Write(folder, result, CellSettings(task, setup, owner, SettingGroups.Data), About(task, owner), curves: paperSetting);
        foreach (var warning in result.Warnings) log.WriteLine($"warning: {warning}");
        return (result.Categories.Select(c => new UnitResult(c.Category, MetricValues.Of(c.Metrics))).ToList(), result.Masking!);
    }

    private (IReadOnlyList<UnitResult>, MaskedPatches) Semantic(TaskDefinition task, CellSetup setup)
    {
        var (_, _, extractor) = Extractor(setup);
        var data = SemanticDataset.Open(task.Kind, DataFolder(task), new ImagePreprocessor(setup.Settings.Resize, setup.Settings.ImageSize),
            TrainSplit.Default, TestSplit.Default);
        var evaluation = new SemanticEvaluation(data, extractor, progress);
        var results = NormalSets(task, data.ClassNames).Select(set => (set.Label, Result: evaluation.Run(new SemanticOptions
        {
            NormalClasses = set.Classes, Detector = setup.Settings, SettingNames = setup.Values.Naming(), Device = options.Device, BatchSize = options.BatchSize, LowShot = setup.LowShot,
        }))).ToList();
        return (results.Select(r => new UnitResult(r.Label, MetricValues.Of(r.Result.Metrics))).ToList(), MaskedPatches.Sum([.. results.Select(r => r.Result.Masking!)]));
    }

    /// <summary>The normal-class sets of a semantic task, each with its label in the paper's tables.</summary>
    private IEnumerable<(string Label, IReadOnlySet<int> Classes)> NormalSets(TaskDefinition task, IReadOnlyList<string> classNames)
    {
        foreach (var entry in task.Normal)
        {
            if (entry == "each")
            {
                var selection = options.Classes ?? task.Categories;
                var classes = selection == "all" ? Enumerable.Range(0, classNames.Count)
                    : NormalClasses.Parse(selection, classNames, options.Classes is null ? $"{definition.Source}: {task.Name}: categories" : "--classes");
                foreach (var c in classes) yield return (classNames[c], new SortedSet<int> { c });
            }
            else if (entry.StartsWith(ExperimentDefinitionReader.SplitPrefix, StringComparison.Ordinal))
            {
                var split = entry[ExperimentDefinitionReader.SplitPrefix.Length..];
                yield return (split, NormalClasses.Parse(string.Join(",", Species60Splits.Get(split)), classNames, $"{definition.Source}: {task.Name}: normal"));
            }
            else
                yield return (entry.Replace(",", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal),
                    NormalClasses.Parse(entry, classNames, $"{definition.Source}: {task.Name}: normal"));
        }
    }

    /// <param name="paperSetting">The cell is at the paper's setting: it also gets a scatter plot per category.</param>
    private (IReadOnlyList<UnitResult>, MaskedPatches) Cluster(TaskDefinition task, CellSetup setup, string folder, bool paperSetting)
    {
        var (owner, input, extractor) = Extractor(setup);
        var results = new ClusteringEvaluation(input, extractor, progress).Run(MvtecLayout(task, setup, Folder), setup.Selector);
        if (paperSetting) foreach (var c in results) ClusteringFigure.Write(folder, c);
        SettingsFile.Write(Path.Combine(folder, SettingsFile.FileName), CellSettings(task, setup, owner, SettingGroups.Clustering), About(task, owner));
        return (results.Select(c => new UnitResult(c.Category, MetricValues.Of(c))).ToList(), MaskedPatches.Sum([.. results.Select(c => c.Masking!)]));
    }

    /// <summary>What a defect or clustering task reads from its MVTec-layout folder, with this cell's settings.</summary>
    private EvaluationOptions MvtecLayout(TaskDefinition task, CellSetup setup, string outputFolder) => new()
    {
        Dataset = DatasetKinds.Of(task.Kind),
        DataRoot = DataFolder(task),
        Categories = options.Categories ?? task.Categories,
        MultiClass = task.MultiClass, // clustering is per category and does not read it
        LowShot = setup.LowShot,
        Detector = setup.Settings,
        SettingNames = setup.Values.Naming(),
        Device = options.Device,
        BatchSize = options.BatchSize,
        OutputFolder = outputFolder,
    };

    private string DataFolder(TaskDefinition task) => Path.GetFullPath(Path.Combine(options.DataRoot, task.Data));

    /// <summary>A cell's settings.json: the settings of `run` (<paramref name="data"/> = <see cref="SettingGroups.Data"/>)
    /// or `cluster` (<see cref="SettingGroups.Clustering"/>) that compute the cell again, so the file is their --config.</summary>
    private SettingValues CellSettings(TaskDefinition task, CellSetup setup, FeatureExtractor owner, IReadOnlyList<Setting> data)
    {
        var values = new SettingValues([.. data, .. SettingGroups.Fitting, .. SettingGroups.Compute]);
        values.Set(Dataset, task.Kind, Dataset.Option);
        values.Set(DataRoot, DataFolder(task), DataRoot.Option);
        values.Set(Categories, options.Categories ?? task.Categories, Categories.Option);
        if (values.Has(MultiClass)) values.Set(MultiClass, task.MultiClass, MultiClass.Option);
        values.Set(SettingTable.LowShot, setup.LowShot, SettingTable.LowShot.Option);
        if (values.Has(Selector)) values.Set(Selector, setup.Selector, Selector.Option);
        values.Set(SettingTable.Device, options.Device, SettingTable.Device.Option);
        values.Set(BatchSize, options.BatchSize, BatchSize.Option);
        values.Set(Threads, TorchRuntime.NumThreads, Threads.Option);
        setup.Settings.WriteTo(values);
        if (owner.WeightsFolder is { } folder) values.Set(Weights, folder, Weights.Option);
        return values;
    }

    private JsonObject About(TaskDefinition task, FeatureExtractor owner)
    {
        var about = SettingsFile.About("reproduce");
        about["reproduction"] = definition.Name;
        about["task"] = task.Name;
        about["backbone-loaded"] = owner.Description;
        return about;
    }

    /// <summary>The feature extractor for these settings (loaded once per reproduction) behind the
    /// feature cache, and its image input behind the in-memory image store.</summary>
    private (FeatureExtractor Owner, IImageInput Input, IFeatureExtractor Extractor) Extractor(CellSetup setup)
    {
        var settings = setup.Settings;
        var key = BackboneKey(settings);
        // The image input follows resize and crop; the feature cache needs no such key (the image content has it).
        var inputKey = $"{key}|{settings.Resize}/{settings.ImageSize}";
        if (!_extractors.TryGetValue(inputKey, out var entry))
        {
            var extractor = FeatureExtractor.Create(settings, options.Device, options.WeightsFolder, where: setup.Values.Naming());
            log.WriteLine(extractor.Description);
            var cached = options.CacheRoot is { } root
                ? new CachedFeatureExtractor(extractor, new FeatureCache(root, options.CacheLimitBytes), key)
                : null;
            _extractors[inputKey] = entry = (extractor, new MemoizedImageInput(extractor.Input, ImageMemoryBytes), cached);
        }
        return (entry.Owner, entry.Input, (IFeatureExtractor?)entry.Cached ?? entry.Owner);
    }

    private string BackboneKey(DetectorSettings settings) => FeatureFingerprint.Of(settings, options.WeightsFolder, options.Device);

    /// <summary>Everything a cell's numbers depend on; a saved cell is reused only when this matches.</summary>
    private string Fingerprint(TaskDefinition task, CellSetup setup)
    {
        var text = string.Join("\n", task.Name, task.Kind, task.Protocol, task.Categories, task.MultiClass, string.Join(";", task.Normal),
            options.Categories, options.Classes, DataFolder(task), setup.Settings.Text, setup.LowShot, setup.Selector, BackboneKey(setup.Settings));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static string Safe(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));

    public void Dispose()
    {
        foreach (var (owner, _, _) in _extractors.Values) owner.Dispose();
        _output?.Dispose();
    }
}

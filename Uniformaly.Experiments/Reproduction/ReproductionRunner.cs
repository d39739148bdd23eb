using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Uniformaly.Research.Caching;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Evaluation;
using Uniformaly.Research.Features;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Models;

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

    private readonly Dictionary<string, (DetectorBackend Backend, IImageInput Input, CachedPatchFeatureExtractor? Cached)> _backends = [];

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
        var caches = _backends.Values.Select(b => b.Cached).OfType<CachedPatchFeatureExtractor>().ToList();
        return new ReproductionResult(cells, skipped, _backends.Values.Select(b => b.Backend.Description).Distinct().ToList(), reused,
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
        var units = task.Protocol switch
        {
            Protocol.Detection => Detect(task, cellSetup, folder, IsDefault(task, cellSetup)),
            Protocol.Semantic => Semantic(task, cellSetup),
            _ => Cluster(task, cellSetup, folder, IsDefault(task, cellSetup)),
        };
        var cell = new CellResult(task.Name, point, fingerprint, units, clock.Elapsed.TotalSeconds);
        cell.Save(Path.Combine(folder, CellResult.FileName));
        Output.PublishPart(relative);
        return (cell, false);
    }

    /// <summary>Whether a cell has the task's own settings (no sweep, or the sweep value the task
    /// would use anyway): galleries, curves and scatter plots are drawn there only, so sweeps do not pay for them at every point.</summary>
    private bool IsDefault(TaskDefinition task, CellSetup setup)
    {
        var plain = Resolve(task, null);
        return plain.Settings.ToJson() == setup.Settings.ToJson() && plain.LowShot == setup.LowShot && plain.Selector == setup.Selector;
    }

    /// <summary>The settings of one cell: defaults, the definition, the task, the user's overrides, then the sweep point.</summary>
    private sealed record CellSetup(DetectorSettings Settings, int? LowShot, PatchSelector Selector);

    private CellSetup Resolve(TaskDefinition task, string? point)
    {
        var where = definition.Source;
        var settings = new DetectorSettings
        {
            Backbone = options.Checkpoint is null ? options.Backbone ?? definition.Backbone : null,
            Checkpoint = options.Checkpoint,
        };
        foreach (var (key, value) in definition.Settings.Concat(task.Settings).Concat(options.Overrides))
            settings = SettingKeys.Apply(settings, key, value, where);
        var (lowShot, selector) = (task.LowShot, PatchSelector.TopK);
        if (point is not null)
        {
            switch (definition.Sweep!.Parameter)
            {
                case "low-shot":
                    lowShot = int.TryParse(point, NumberStyles.Integer, CultureInfo.InvariantCulture, out var shots) && shots > 0
                        ? shots : throw new ArgumentException($"{where}: sweep: low-shot '{point}' is not a positive number of images");
                    break;
                case "selector":
                    (selector, settings) = Selector(settings, point);
                    break;
                default:
                    settings = SettingKeys.Apply(settings, definition.Sweep.Parameter, point, $"{where}: sweep");
                    break;
            }
        }
        return new CellSetup(settings.Validate(), lowShot, selector);
    }

    /// <summary>Table 8's feature selectors: all, max, or topk_&lt;percent&gt;.</summary>
    private static (PatchSelector, DetectorSettings) Selector(DetectorSettings settings, string value) => value.ToLowerInvariant() switch
    {
        "all" => (PatchSelector.All, settings),
        "max" => (PatchSelector.Max, settings),
        var v when v.StartsWith("topk_", StringComparison.Ordinal) && double.TryParse(v[5..], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) =>
            (PatchSelector.TopK, settings with { TopK = percent / 100 }),
        _ => throw new ArgumentException($"selector '{value}': expected all, max or topk_<percent>"),
    };

    /// <param name="paperSetting">The cell is at the paper's setting: it also gets heatmap galleries and curve figures.</param>
    private IReadOnlyList<UnitResult> Detect(TaskDefinition task, CellSetup setup, string folder, bool paperSetting)
    {
        var (backend, input, extractor) = Backend(setup.Settings);
        var evaluation = MvtecLayout(task, setup, folder) with { GalleryImages = paperSetting ? definition.Gallery : 0 };
        var result = new DetectionEvaluation(input, extractor, progress).Run(evaluation);
        EvaluationWriter.Write(folder, result, new JsonObject
        {
            ["task"] = task.Name, ["backbone_loaded"] = backend.Description, ["detector"] = JsonNode.Parse(setup.Settings.ToJson()),
        }, curves: paperSetting);
        foreach (var warning in result.Warnings) log.WriteLine($"warning: {warning}");
        return result.Categories.Select(c => new UnitResult(c.Category, MetricValues.Of(c.Metrics))).ToList();
    }

    private IReadOnlyList<UnitResult> Semantic(TaskDefinition task, CellSetup setup)
    {
        var (_, _, extractor) = Backend(setup.Settings);
        var data = SemanticDataset.Open(task.Kind, Path.Combine(options.DataRoot, task.Data), new ImagePreprocessor(setup.Settings.Resize, setup.Settings.ImageSize));
        var evaluation = new SemanticEvaluation(data, extractor, progress);
        return NormalSets(task, data.ClassNames).Select(set => new UnitResult(set.Label, MetricValues.Of(evaluation.Run(new SemanticOptions
        {
            NormalClasses = set.Classes, Detector = setup.Settings, Device = options.Device, BatchSize = options.BatchSize, LowShot = setup.LowShot,
        }).Metrics))).ToList();
    }

    /// <summary>The normal-class sets of a semantic task, each with its label in the paper's tables.</summary>
    private IEnumerable<(string Label, IReadOnlySet<int> Classes)> NormalSets(TaskDefinition task, IReadOnlyList<string> classNames)
    {
        foreach (var entry in task.Normal)
        {
            if (entry == "each")
            {
                var selection = options.Classes ?? task.Categories;
                var classes = selection == "all" ? Enumerable.Range(0, classNames.Count) : NormalClasses.Parse(selection, classNames);
                foreach (var c in classes) yield return (classNames[c], new SortedSet<int> { c });
            }
            else if (entry.StartsWith("split:", StringComparison.Ordinal))
                yield return (entry[6..], NormalClasses.Parse(string.Join(",", Species60Splits.Get(entry[6..])), classNames));
            else
                yield return (entry.Replace(",", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal), NormalClasses.Parse(entry, classNames));
        }
    }

    /// <param name="paperSetting">The cell is at the paper's setting: it also gets a scatter plot per category.</param>
    private IReadOnlyList<UnitResult> Cluster(TaskDefinition task, CellSetup setup, string folder, bool paperSetting)
    {
        var (_, input, extractor) = Backend(setup.Settings);
        var results = new ClusteringEvaluation(input, extractor, progress).Run(MvtecLayout(task, setup, Folder), setup.Selector);
        if (paperSetting) foreach (var c in results) ClusteringFigure.Write(folder, c);
        return results.Select(c => new UnitResult(c.Category, MetricValues.Of(c))).ToList();
    }

    /// <summary>What a defect or clustering task reads from its MVTec-layout folder, with this cell's settings.</summary>
    private EvaluationOptions MvtecLayout(TaskDefinition task, CellSetup setup, string outputFolder) => new()
    {
        Dataset = DatasetKinds.Parse(task.Kind),
        DataRoot = Path.Combine(options.DataRoot, task.Data),
        Categories = options.Categories ?? task.Categories,
        MultiClass = task.MultiClass, // clustering is per category and does not read it
        LowShot = setup.LowShot,
        Detector = setup.Settings,
        Device = options.Device,
        BatchSize = options.BatchSize,
        OutputFolder = outputFolder,
    };

    /// <summary>The backbone for these settings (loaded once per reproduction) behind the feature
    /// cache, and its image input behind the in-memory image store.</summary>
    private (DetectorBackend Backend, IImageInput Input, IPatchFeatureExtractor Extractor) Backend(DetectorSettings settings)
    {
        var key = BackboneKey(settings);
        // The image input follows resize and crop; the feature cache needs no such key (the image content has it).
        var inputKey = $"{key}|{settings.Resize}/{settings.ImageSize}";
        if (!_backends.TryGetValue(inputKey, out var entry))
        {
            var backend = DetectorBackend.Create(settings, options.Device, options.WeightsFolder);
            log.WriteLine(backend.Description);
            var cached = options.CacheRoot is { } root
                ? new CachedPatchFeatureExtractor(backend.Extractor, new FeatureCache(root, options.CacheLimitBytes), key)
                : null;
            _backends[inputKey] = entry = (backend, new MemoizedImageInput(backend.Input, ImageMemoryBytes), cached);
        }
        return (entry.Backend, entry.Input, (IPatchFeatureExtractor?)entry.Cached ?? entry.Backend.Extractor);
    }

    /// <summary>What shapes the backbone's features: weights (with the file's size and time, so a
    /// replaced file is a new key), precision, layers and attention layer. Preprocessing is in the image content.</summary>
    private string BackboneKey(DetectorSettings settings)
    {
        var weights = settings.Checkpoint ?? (settings.Backbone!.StartsWith(DetectorBackend.RandomPrefix, StringComparison.Ordinal)
            ? $"{settings.Backbone} seed {settings.Seed}"
            : Backbones.WeightsPath(Backbones.Get(settings.Backbone), options.WeightsFolder));
        var stamp = File.Exists(weights) ? $"{new FileInfo(weights).Length}@{File.GetLastWriteTimeUtc(weights):O}" : "";
        var precision = settings.BackbonePrecision == BackbonePrecision.Float32 ? "" : $"|{BackbonePrecisionNames.Name(settings.BackbonePrecision)}";
        return $"{weights}|{stamp}{precision}|layers {string.Join(",", settings.Layers)}|attention {settings.EffectiveAttentionLayer}|{options.Device.Type}";
    }

    /// <summary>Everything a cell's numbers depend on; a saved cell is reused only when this matches.</summary>
    private string Fingerprint(TaskDefinition task, CellSetup setup)
    {
        var text = string.Join("\n", task.Name, task.Kind, task.Protocol, task.Categories, task.MultiClass, string.Join(";", task.Normal),
            options.Categories, options.Classes, Path.GetFullPath(Path.Combine(options.DataRoot, task.Data)), setup.Settings.ToJson(), setup.LowShot, setup.Selector,
            BackboneKey(setup.Settings));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private static string Safe(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_'));

    public void Dispose()
    {
        foreach (var (backend, _, _) in _backends.Values) backend.Dispose();
        _output?.Dispose();
    }
}

using Uniformaly.Research.Settings;

namespace Uniformaly.Experiments.Reproduction;

/// <summary>What a task measures (docs/method.md sections 10-12).</summary>
public enum Protocol { Detection, Semantic, Clustering }

/// <summary>
/// One reproduction (a table or figure of the paper) as read from its YAML file in configs/: the
/// tasks to run, the settings they share, an optional one-parameter sweep, and where each of our
/// numbers sits in the paper's table.
/// </summary>
public sealed record ExperimentDefinition
{
    /// <summary>The name used on the command line and for output files, e.g. "table9".</summary>
    public required string Name { get; init; }

    /// <summary>One line for the report's heading.</summary>
    public required string Title { get; init; }

    /// <summary>The paper's backbone for this table (dino_vitb8 = UniFormaly-DINO), as written: checked
    /// with every cell's settings before the first cell runs, and not at all when --backbone or
    /// --checkpoint replaces it.</summary>
    public required string Backbone { get; init; }

    /// <summary>Cell settings (<see cref="SettingGroups.Cell"/>, by their names) shared by every task.</summary>
    public IReadOnlyList<SettingText> Settings { get; init; } = [];

    public SweepDefinition? Sweep { get; init; }

    public required IReadOnlyList<TaskDefinition> Tasks { get; init; }

    public PaperMapping? Paper { get; init; }

    /// <summary>Overlays per kind (highest- and lowest-scored defects, highest-scored normal images) and category for defect tasks with masks.</summary>
    public int Gallery { get; init; } = 3;

    /// <summary>The YAML file it came from, for messages.</summary>
    public required string Source { get; init; }

    /// <summary>The names of the sweep's points, or the single point of a run without a sweep.</summary>
    public IReadOnlyList<string?> Points => Sweep is null ? [null] : [.. Sweep.Values];
}

/// <summary>One point of a sweep: its name (the value on the axis and in the paper's columns) and the
/// settings it sets.</summary>
public sealed record SweepPoint(string Name, IReadOnlyList<SettingText> Settings);

/// <summary>
/// A sweep: one setting (<see cref="SettingGroups.Cell"/>: kernel, threshold, bpm, topk, nn,
/// sampler-ratio, low-shot, selector, ...) over values, or points that each set several settings
/// (Table 10's binary_0.2 = bpm binary at threshold 0.2), <paramref name="Parameter"/> then naming the axis.
/// </summary>
/// <param name="Parameter">The setting swept, or the axis's name; in cell folder names and logs.</param>
/// <param name="Label">Axis label for plots, e.g. "BPM kernel size n (patches)".</param>
/// <param name="Percent">Plot x as percent (x 100), for ratios such as k.</param>
/// <param name="LogX">Log-scaled x axis.</param>
public sealed record SweepDefinition(string Parameter, IReadOnlyList<SweepPoint> SweepPoints, string Label, bool Percent, bool LogX)
{
    /// <summary>The points' names, in order.</summary>
    public IReadOnlyList<string> Values => [.. SweepPoints.Select(p => p.Name)];

    /// <summary>The point named <paramref name="name"/>.</summary>
    public SweepPoint Point(string name) => SweepPoints.Single(p => p.Name == name);
}

/// <summary>
/// One dataset and protocol of a reproduction.
/// </summary>
/// <param name="Name">The task's label in tables (defect, semantic, CIFAR-10, MTD, ...).</param>
/// <param name="Data">Folder under --data-root holding the dataset (mvtec, btad, cifar10, ...).</param>
/// <param name="Kind">mvtec, btad, folder, cifar10, cifar100 or imagefolder.</param>
/// <param name="Categories">Defect and clustering tasks: "all" or a comma list; semantic "each": which classes.</param>
/// <param name="MultiClass">Defect tasks: one bank for all categories.</param>
/// <param name="Normal">Semantic tasks: "each" (every class in turn is the normal class) or sets such
/// as "0,1,2,3,4" (multi-class); Species-60 splits as "split:A".</param>
/// <param name="Metrics">Metric names reported (image_auroc, pixel_auroc, aupro, ..., nmi, ari, f1).</param>
/// <param name="Settings">Cell settings of this task (low-shot included), over the definition's.</param>
/// <param name="Backbone">This task's backbone instead of the definition's (comparisons over backbones), as written.</param>
public sealed record TaskDefinition(string Name, string Data, string Kind, Protocol Protocol, string Categories, bool MultiClass,
    IReadOnlyList<string> Normal, IReadOnlyList<string> Metrics, IReadOnlyList<SettingText> Settings, string? Backbone = null);

/// <summary>
/// Where a cell sits in the paper's table: row and column templates over {task}, {unit} (category,
/// class or normal set), {metric} (after <see cref="MetricNames"/>), {value} (the sweep value) and
/// {family} (dino or ibot, from the backbone). Templates without {unit} compare task means.
/// </summary>
public sealed record PaperMapping(string? Table, string Row, string Column, IReadOnlyDictionary<string, string> MetricNames,
    IReadOnlyList<(double X, double Value)> TextPoints, string? TextNote)
{
    public bool PerUnit => Row.Contains("{unit}") || Column.Contains("{unit}");
}

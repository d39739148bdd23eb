using Uniformaly.Research.Torch;

namespace Uniformaly.Experiments.Reproduction;

/// <summary>How one `uniformaly reproduce` runs: where the data and results are, and what the user overrides.</summary>
public sealed record ReproductionOptions
{
    /// <summary>Folder holding one folder per dataset (mvtec, btad, cifar10, ...; see <see cref="DatasetCatalog"/>).</summary>
    public required string DataRoot { get; init; }

    /// <summary>Results go to OUT/&lt;name&gt;/.</summary>
    public required string Output { get; init; }

    public Device Device { get; init; } = Device.Cpu;

    public int BatchSize { get; init; } = 8;

    /// <summary>Folder of the official checkpoints (null: <see cref="Research.Models.Backbones.WeightsFolders"/>).</summary>
    public string? WeightsFolder { get; init; }

    /// <summary>Replaces the paper's backbone (a name such as dino_vits16 or random_vits16).</summary>
    public string? Backbone { get; init; }

    /// <summary>Replaces the paper's backbone with a checkpoint file.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>Replaces the category list of every defect and clustering task, for quick runs.</summary>
    public string? Categories { get; init; }

    /// <summary>Replaces the classes that one-class semantic tasks take in turn (names or indices), for quick runs.</summary>
    public string? Classes { get; init; }

    /// <summary>key=value detector settings over the definition's (a sweep's own parameter still wins).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Overrides { get; init; } = [];

    /// <summary>Feature cache folder, or null for no disk cache.</summary>
    public string? CacheRoot { get; init; }

    public long CacheLimitBytes { get; init; } = 20L << 30;
}

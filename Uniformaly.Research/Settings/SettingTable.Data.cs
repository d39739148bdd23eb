using Uniformaly.Research.Data;
using Uniformaly.Research.Scoring;

namespace Uniformaly.Research.Settings;

/// <summary>Which images a command reads, and the clustering settings.</summary>
public static partial class SettingTable
{
    public static Setting<string> Dataset { get; } = new("dataset",
        "Dataset layout (folder: any MVTec-layout tree; cifar10, cifar100: the binary releases; imagefolder: train/ and test/ class folders)",
        "mvtec", ValueKinds.Choice([.. DatasetKinds.Names.Select(n => (n, n))]));

    public static Setting<string?> DataRoot { get; } = new("data-root",
        "Folder of the data: the dataset's categories or classes (run, cluster), or one folder per dataset (reproduce)",
        null, ValueKinds.Optional(ValueKinds.Text("a folder path", "folder"))) { Required = true };

    public static Setting<string> Categories { get; } = new("categories",
        "Categories of an MVTec-layout dataset: a comma list, or all", "all", ValueKinds.Text("a comma list of categories, or all", "list"));

    public static Setting<bool> MultiClass { get; } = new("multiclass",
        "One memory bank for all categories (the multi-class protocol)", false, ValueKinds.Flag);

    public static Setting<int?> LowShot { get; } = new("low-shot",
        "Training images per category (or of the normal classes), drawn with --seed (default: all)", null, ValueKinds.Optional(ValueKinds.Whole(1, int.MaxValue)));

    public static Setting<string?> Normal { get; } = new("normal",
        "Semantic datasets: the normal class(es) by index or name, e.g. 3, 0,1,2,3,4 or cat", null,
        ValueKinds.Optional(ValueKinds.Text("class indices or names, comma-separated", "classes")));

    public static Setting<string?> NormalSplit { get; } = new("normal-split",
        "Species-60: the multi-class split (the paper's Table 13) whose 30 classes are normal", null,
        ValueKinds.Optional(ValueKinds.Choice([.. Species60Splits.Names.Select(n => (n, n))])));

    public static Setting<string> TrainSplit { get; } = new("train-split",
        "imagefolder: the folder of the training split", "train", ValueKinds.Text("a folder name", "folder"));

    public static Setting<string> TestSplit { get; } = new("test-split",
        "imagefolder: the folder of the test split", "test", ValueKinds.Text("a folder name", "folder"));

    public static Setting<bool> SkipBadImages { get; } = new("skip-bad-images",
        "Skip unreadable images with a warning instead of stopping", false, ValueKinds.Flag);

    public static Setting<bool> SaveMaps { get; } = new("save-maps",
        "Write a heatmap overlay (PNG) of every test image under OUT/maps", false, ValueKinds.Flag);

    public static Setting<string[]> Images { get; } = new("images",
        "Image files and/or folders of images", [], ValueKinds.Paths, isList: true) { Required = true };

    public static Setting<PatchSelector> Selector { get; } = new("selector",
        "The image feature clustered: the mean patch feature at the top k-ratio patches (topk, the method), at the highest patch (max) or over all patches (all)",
        PatchSelector.TopK, ValueKinds.Choice(("topk", PatchSelector.TopK), ("max", PatchSelector.Max), ("all", PatchSelector.All)));

    public static Setting<int?> Clusters { get; } = new("clusters",
        "Clusters k per category (default: the number of anomaly types in its test set, as in the paper)", null,
        ValueKinds.Optional(ValueKinds.Whole(1, int.MaxValue)));
}

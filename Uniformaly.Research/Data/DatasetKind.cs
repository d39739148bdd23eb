namespace Uniformaly.Research.Data;

/// <summary>The MVTec-layout dataset families (docs/method.md section 12).</summary>
public enum DatasetKind
{
    /// <summary>MVTec AD: 15 categories, normal folder "good".</summary>
    Mvtec,
    /// <summary>BTAD: categories 01-03, normal folder "ok", anomalous "ko".</summary>
    Btad,
    /// <summary>Any folder of the same shape (MTD, CPD, synthetic data): categories = subfolders.</summary>
    Folder,
}

public static class DatasetKinds
{
    public static readonly IReadOnlyList<string> MvtecCategories =
    [
        "bottle", "cable", "capsule", "carpet", "grid", "hazelnut", "leather", "metal_nut",
        "pill", "screw", "tile", "toothbrush", "transistor", "wood", "zipper",
    ];

    public static readonly IReadOnlyList<string> BtadCategories = ["01", "02", "03"];

    /// <summary>Name of the folder holding normal images.</summary>
    public static string NormalFolder(this DatasetKind kind) => kind == DatasetKind.Btad ? "ok" : "good";

    /// <summary>The MVTec-layout datasets' names, then the semantic ones (<see cref="SemanticDataset"/>).</summary>
    public static IReadOnlyList<string> Names { get; } = ["mvtec", "btad", "folder", .. SemanticDataset.Kinds];

    /// <summary>Whether <paramref name="name"/> is a semantic dataset (CIFAR, ImageFolder) rather than an MVTec-layout one.</summary>
    public static bool IsSemantic(string name) => SemanticDataset.Kinds.Contains(name);

    /// <summary>The MVTec-layout dataset of one of the first three <see cref="Names"/>.</summary>
    public static DatasetKind Of(string name) => name switch
    {
        "mvtec" => DatasetKind.Mvtec,
        "btad" => DatasetKind.Btad,
        "folder" => DatasetKind.Folder,
        _ => throw new ArgumentException($"'{name}' is not an MVTec-layout dataset: mvtec, btad or folder"),
    };
}

namespace Uniformaly.Research.Data;

/// <summary>The MVTec-layout dataset families (SPEC section 12).</summary>
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

    public static DatasetKind Parse(string name) => name.ToLowerInvariant() switch
    {
        "mvtec" => DatasetKind.Mvtec,
        "btad" => DatasetKind.Btad,
        "folder" => DatasetKind.Folder,
        _ => throw new ArgumentException($"unknown dataset '{name}': expected mvtec, btad or folder"),
    };
}

namespace Uniformaly.Research.Masking;

/// <summary>
/// AnomalyDINO's per-category rule of when to apply its PCA mask (docs/method.md section 5): its
/// "masking test" found the mask unreliable on the MVTec AD categories below (textures, and objects
/// that fill the image or whose background carries defects), which it scores unmasked; every other
/// category (the other MVTec AD objects, all of VisA) is masked. Categories it never saw, and images
/// of no known category (`predict`), are masked, as its default.
/// </summary>
public static class PcaMaskingRule
{
    /// <summary>The MVTec AD categories AnomalyDINO scores without its mask.</summary>
    public static IReadOnlySet<string> Unmasked { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "bottle", "cable", "carpet", "grid", "leather", "metal_nut", "tile", "transistor", "wood", "zipper",
    };

    /// <summary>Whether test images of <paramref name="category"/> (null: unknown) are masked.</summary>
    public static bool Masks(string? category) => category is null || !Unmasked.Contains(category);
}

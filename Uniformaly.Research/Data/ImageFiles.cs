namespace Uniformaly.Research.Data;

/// <summary>Which files in a folder count as images.</summary>
public static class ImageFiles
{
    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff",
    };

    public static bool IsImage(string path) =>
        Extensions.Contains(System.IO.Path.GetExtension(path)) && !System.IO.Path.GetFileName(path).StartsWith('.');

    /// <summary>The image files directly in <paramref name="folder"/>, in ordinal name order
    /// (the same order on every machine).</summary>
    public static IReadOnlyList<string> In(string folder) =>
        Directory.EnumerateFiles(folder).Where(IsImage).Order(StringComparer.Ordinal).ToList();
}

namespace Uniformaly.Research.Data;

/// <summary>
/// Reads MVTec-layout folders: ROOT/&lt;category&gt;/train/&lt;normal&gt;/*, ROOT/&lt;category&gt;/test/&lt;type&gt;/*,
/// ROOT/&lt;category&gt;/ground_truth/&lt;type&gt;/&lt;stem&gt;_mask.png (BTAD: &lt;stem&gt;.png or .bmp).
/// </summary>
public static class MvtecLayoutDataset
{
    private static readonly string[] MaskExtensions = [".png", ".bmp", ".tif", ".tiff", ".jpg"];

    /// <summary>The categories named by <paramref name="selection"/>: "all" or a comma list.</summary>
    public static IReadOnlyList<string> ResolveCategories(string root, DatasetKind kind, string selection)
    {
        RequireDirectory(root, "data root");
        if (!string.Equals(selection.Trim(), "all", StringComparison.OrdinalIgnoreCase))
            return selection.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return kind switch
        {
            DatasetKind.Mvtec => DatasetKinds.MvtecCategories,
            DatasetKind.Btad => DatasetKinds.BtadCategories,
            _ => FoldersWithTrain(root) is { Count: > 0 } found ? found
                : throw new DatasetException($"no categories in {root}: expected one folder per category, each with train/ and test/"),
        };
    }

    private static List<string> FoldersWithTrain(string root) =>
        [.. Directory.EnumerateDirectories(root).Where(d => Directory.Exists(Path.Combine(d, "train")))
            .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    /// <summary>Lists one category's training and test images.</summary>
    public static CategorySplit Load(string root, string category, DatasetKind kind)
    {
        var categoryDir = Path.Combine(root, category);
        RequireDirectory(categoryDir, $"category '{category}'");
        var normal = kind.NormalFolder();
        var trainDir = Path.Combine(categoryDir, "train", normal);
        RequireDirectory(trainDir, $"training folder of '{category}'");
        var train = ImageFiles.In(trainDir).Select(p => Sample(root, category, normal, p, null)).ToList();
        if (train.Count == 0) throw new DatasetException($"category '{category}' has no training images in {trainDir}");
        var testDir = Path.Combine(categoryDir, "test");
        RequireDirectory(testDir, $"test folder of '{category}'");
        var test = Labelled(root, category, categoryDir, testDir, normal);
        if (test.Count == 0) throw new DatasetException($"category '{category}' has no test images in {testDir}");
        return new CategorySplit(category, train, test);
    }

    /// <summary>
    /// Labelled images in a folder of their own (fit's validation images): an MVTec-layout category (its
    /// test/ split), or a folder laid out like one's test/: good/ (or ok/) and one subfolder per defect
    /// type, masks in ground_truth/&lt;type&gt;/ beside the folder (a category's test/) or inside it.
    /// </summary>
    /// <exception cref="DatasetException">the folder is missing, or lacks normal or defective images.</exception>
    public static IReadOnlyList<ImageSample> LoadLabelled(string folder)
    {
        var full = Path.GetFullPath(folder);
        RequireDirectory(full, "validation folder");
        var testDir = Directory.Exists(Path.Combine(full, "test")) ? Path.Combine(full, "test") : full;
        var categoryDir = testDir != full || !Directory.Exists(Path.Combine(Path.GetDirectoryName(full)!, "ground_truth")) ? full : Path.GetDirectoryName(full)!;
        var normal = Directory.Exists(Path.Combine(testDir, "ok")) ? "ok" : ImageSample.Normal;
        var samples = Labelled(Path.GetDirectoryName(categoryDir)!, Path.GetFileName(categoryDir), categoryDir, testDir, normal);
        if (!samples.Any(s => s.IsAnomalous) || samples.All(s => s.IsAnomalous))
            throw new DatasetException($"validation folder {folder} needs normal images in {Path.Combine(testDir, normal)} and defective ones " +
                "in other subfolders (one per defect type), to find the thresholds with the best F1");
        return samples;
    }

    /// <summary>The images of each type folder of <paramref name="testDir"/>, defects with their masks.</summary>
    private static List<ImageSample> Labelled(string root, string category, string categoryDir, string testDir, string normal)
    {
        var test = new List<ImageSample>();
        foreach (var typeDir in Directory.EnumerateDirectories(testDir).Order(StringComparer.Ordinal))
        {
            var type = Path.GetFileName(typeDir);
            if (type == "ground_truth") continue;
            foreach (var image in ImageFiles.In(typeDir))
                test.Add(type == normal
                    ? Sample(root, category, normal, image, null)
                    : Sample(root, category, type, image, FindMask(categoryDir, type, image)));
        }
        return test;
    }

    private static ImageSample Sample(string root, string category, string type, string path, string? mask)
    {
        var normal = type is "good" or "ok";
        var relative = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
        return new ImageSample(Path.GetFullPath(path), relative, category, normal ? ImageSample.Normal : type, normal ? 0 : 1, mask);
    }

    /// <summary>The ground-truth mask of an anomalous image, or null when the dataset has none for it.</summary>
    private static string? FindMask(string categoryDir, string type, string image)
    {
        var stem = Path.GetFileNameWithoutExtension(image);
        var folder = Path.Combine(categoryDir, "ground_truth", type);
        if (!Directory.Exists(folder)) return null;
        return MaskExtensions
            .SelectMany(ext => new[] { Path.Combine(folder, stem + "_mask" + ext), Path.Combine(folder, stem + ext) })
            .FirstOrDefault(File.Exists);
    }

    private static void RequireDirectory(string path, string what)
    {
        if (!Directory.Exists(path)) throw new DatasetException($"{what} not found: {path}");
    }
}

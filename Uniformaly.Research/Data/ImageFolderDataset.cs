namespace Uniformaly.Research.Data;

/// <summary>
/// ImageFolder trees (ImageNet-30, Species-60): ROOT/&lt;split&gt;/&lt;class&gt;/*. Classes are the
/// sorted class folders, addressed by name or by index in that order.
/// </summary>
public static class ImageFolderDataset
{
    /// <summary>The class folder names of a split, sorted (index = position).</summary>
    public static IReadOnlyList<string> Classes(string root, string split)
    {
        var folder = Path.Combine(root, split);
        if (!Directory.Exists(folder)) throw new DatasetException($"split '{split}' not found: {folder}");
        var classes = Directory.EnumerateDirectories(folder).Select(Path.GetFileName).OfType<string>()
            .Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToList();
        if (classes.Count == 0) throw new DatasetException($"no class folders in {folder}");
        return classes;
    }

    /// <summary>Every image of a split with its class index, in class then file-name order.</summary>
    public static IReadOnlyList<(string Path, string RelativePath, int ClassIndex)> Images(string root, string split)
    {
        var classes = Classes(root, split);
        var images = new List<(string, string, int)>();
        for (var c = 0; c < classes.Count; c++)
            foreach (var file in ImageFiles.In(Path.Combine(root, split, classes[c])))
                images.Add((Path.GetFullPath(file), Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/'), c));
        return images;
    }
}

namespace Uniformaly.Research.Data;

/// <summary>Command-line image arguments: files are taken as given, folders contribute their image files.</summary>
public static class ImagePaths
{
    public static IReadOnlyList<string> Expand(IEnumerable<string> arguments)
    {
        var paths = new List<string>();
        foreach (var argument in arguments)
        {
            if (Directory.Exists(argument)) paths.AddRange(ImageFiles.In(argument).Select(Path.GetFullPath));
            else if (File.Exists(argument)) paths.Add(Path.GetFullPath(argument));
            else throw new FileNotFoundException($"image or folder not found: {argument}", argument);
        }
        if (paths.Count == 0) throw new DatasetException($"no image files in {string.Join(", ", arguments)}");
        return paths;
    }
}

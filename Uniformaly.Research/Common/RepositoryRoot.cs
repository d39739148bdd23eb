namespace Uniformaly.Research.Common;

/// <summary>
/// The Uniformaly repository the running program belongs to: the nearest folder holding
/// Uniformaly.sln at or above the program's own folder (AppContext.BaseDirectory, not the current
/// directory, so that a command finds the same files from any folder). That is the checkout for
/// the built binaries (REPO/Uniformaly.Experiments/bin/Release/net10.0/, which ./uniformaly runs, and
/// the test and benchmark assemblies) and for a self-contained publish unpacked inside a copy of the
/// repository (tools/gpu/run.sh unpacks tools/gpu/package.sh's app into REPO/out/gpu/work/app/).
/// </summary>
public static class RepositoryRoot
{
    private const string Marker = "Uniformaly.sln";

    /// <summary>The repository of the running program, or null when it runs from outside one (an installed publish).</summary>
    public static string? OfThisProgram => Find(AppContext.BaseDirectory);

    /// <summary>The nearest folder at or above <paramref name="start"/> that holds Uniformaly.sln, or null.</summary>
    public static string? Find(string start)
    {
        for (var folder = new DirectoryInfo(Path.GetFullPath(start)); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, Marker))) return folder.FullName;
        return null;
    }
}

namespace Uniformaly.Tests;

/// <summary>A temporary folder deleted with everything in it when disposed.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "uniformaly-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>Creates an (empty unless given) file at a path relative to the folder.</summary>
    public string File(string relative, byte[]? content = null)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllBytes(full, content ?? []);
        return full;
    }

    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}

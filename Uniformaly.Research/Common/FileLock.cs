using System.Diagnostics;

namespace Uniformaly.Research.Common;

/// <summary>
/// A crash-safe exclusive lock between processes: an open lock file. .NET takes an OS lock for
/// <see cref="FileShare.None"/> (flock on Linux and macOS), and the OS drops it when the process
/// ends however it ends, so a crashed process never leaves the lock held. Needs a local file
/// system (NFS may not honour flock). Result folders and the feature cache both lock this way.
/// </summary>
public sealed class FileLock : IDisposable
{
    private const int WouldBlock = 11; // EWOULDBLOCK on Linux: another open file holds the lock

    private readonly FileStream _file;

    private FileLock(FileStream file) => _file = file;

    /// <summary>Takes the lock on <paramref name="path"/> (creating the file), or returns null at
    /// once when another process holds it.</summary>
    public static FileLock? TryTake(string path)
    {
        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            // A holder may delete the lock file while holding it (a cache clear): a lock on the
            // deleted file excludes nobody, so take the one at the path again.
            if (File.Exists(path)) return new FileLock(file);
            file.Dispose();
            return TryTake(path);
        }
        catch (IOException e) when (e.HResult == WouldBlock)
        {
            return null;
        }
    }

    /// <summary>Waits until the lock on <paramref name="path"/> is free and takes it.</summary>
    /// <returns>null when another process still holds it after <paramref name="patience"/>.</returns>
    public static FileLock? Wait(string path, TimeSpan patience)
    {
        var clock = Stopwatch.StartNew();
        for (var pause = 1; ; pause = Math.Min(pause * 2, 50))
        {
            if (TryTake(path) is { } taken) return taken;
            if (clock.Elapsed > patience) return null;
            Thread.Sleep(pause);
        }
    }

    /// <summary>Deletes the lock file while holding it (when its folder is about to go).</summary>
    public void DeleteFile() => File.Delete(_file.Name);

    public void Dispose() => _file.Dispose();
}

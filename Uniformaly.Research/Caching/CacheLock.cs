using System.Diagnostics;

namespace Uniformaly.Research.Caching;

/// <summary>
/// The exclusive lock that every change to a cache folder is made under, so that processes sharing
/// the cache (two reproductions) never interleave their writes to its entry list. It is an open
/// lock file: .NET takes an OS lock for <see cref="FileShare.None"/> (flock on Linux and macOS), and
/// the OS drops it when the process ends, so a crashed process never leaves the cache locked.
/// </summary>
internal sealed class CacheLock : IDisposable
{
    // Other holders keep the lock for one entry write, a trim or a clear: seconds at most.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    private readonly FileStream _file;

    private CacheLock(FileStream file) => _file = file;

    /// <summary>Waits until the lock on <paramref name="path"/> is free and takes it.</summary>
    /// <exception cref="FeatureCacheException">still held by another process after two minutes.</exception>
    public static CacheLock Acquire(string path)
    {
        var clock = Stopwatch.StartNew();
        var pause = 1;
        while (true)
        {
            try
            {
                var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                // A clear in another process deletes the lock file while holding it: a lock on the
                // deleted file excludes nobody, so take the one at the path again.
                if (File.Exists(path)) return new CacheLock(file);
                file.Dispose();
            }
            catch (IOException e) when (e is not (DirectoryNotFoundException or FileNotFoundException or PathTooLongException))
            {
                if (clock.Elapsed > Patience)
                    throw new FeatureCacheException($"feature cache {Path.GetDirectoryName(path)}: still in use by another process after " +
                        $"{Patience.TotalMinutes:F0} minutes (it holds {path})", e);
            }
            Thread.Sleep(pause);
            pause = Math.Min(pause * 2, 50);
        }
    }

    /// <summary>Deletes the lock file while holding it (the last step of a clear).</summary>
    public void DeleteFile() => File.Delete(_file.Name);

    public void Dispose() => _file.Dispose();
}

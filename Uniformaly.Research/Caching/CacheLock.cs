using Uniformaly.Research.Common;

namespace Uniformaly.Research.Caching;

/// <summary>
/// The exclusive lock that every change to a cache folder is made under, so that processes sharing
/// the cache (two reproductions) never interleave their writes to its entry list: a
/// <see cref="FileLock"/> on the cache's lock file, waited for while another process holds it.
/// </summary>
internal static class CacheLock
{
    // Other holders keep the lock for one entry write, a trim or a clear: seconds at most.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    /// <summary>Waits until the lock on <paramref name="path"/> is free and takes it.</summary>
    /// <exception cref="FeatureCacheException">still held by another process after two minutes.</exception>
    public static FileLock Acquire(string path) => FileLock.Wait(path, Patience)
        ?? throw new FeatureCacheException($"feature cache {Path.GetDirectoryName(path)}: still in use by another process after " +
            $"{Patience.TotalMinutes:F0} minutes (it holds {path})");
}

namespace Uniformaly.Research.Caching;

/// <summary>What a cache folder holds (<see cref="FeatureCache.Inspect"/>), or held before a clear.</summary>
/// <param name="Root">The folder, as a full path.</param>
/// <param name="Exists">Whether the folder exists.</param>
/// <param name="IsCache">Whether it is marked as a feature cache.</param>
/// <param name="Entries">The cache's own entries (those its entry list names and that exist).</param>
/// <param name="Bytes">Their total size.</param>
/// <param name="LegacyEntries">In a folder not marked as a cache: files laid out like the entries
/// of an older Uniformaly's cache, which marking the folder would adopt.</param>
/// <param name="LegacyBytes">Their total size.</param>
/// <param name="IgnoredLines">Lines of the entry list that are not records (torn by a crash), skipped.</param>
public sealed record FeatureCacheInfo(string Root, bool Exists, bool IsCache, int Entries, long Bytes, int LegacyEntries, long LegacyBytes,
    int IgnoredLines = 0);

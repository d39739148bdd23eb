namespace Uniformaly.Research.Caching;

/// <summary>
/// The entries that Uniformaly's cache wrote before caches were marked and listed (an unmarked
/// folder of KEY[..2]/KEY.safetensors files). When such a folder is first marked, exactly these
/// become the cache's: a file whose name is a SHA-256 digest in lowercase hex, in the folder named
/// after its first two digits, holding exactly an entry's two float32 tensors. Nobody names their
/// own files that way, so nothing of the user's is adopted (and later deleted); anything else in
/// the folder, of whatever name or extension, stays the user's.
/// </summary>
internal static class LegacyCacheEntries
{
    /// <summary>The keys of the old entries in <paramref name="root"/> (its fan-out folders only, not recursive).</summary>
    public static IEnumerable<string> Find(string root) =>
        from folder in Directory.Exists(root) ? Directory.EnumerateDirectories(root) : []
        let name = Path.GetFileName(folder)
        where name.Length == 2 && name.All(char.IsAsciiHexDigitLower)
        from file in Directory.EnumerateFiles(folder, "*.safetensors")
        let key = Path.GetFileNameWithoutExtension(file)
        where CacheJournal.IsKey(key) && key.StartsWith(name, StringComparison.Ordinal) && FeatureCache.IsEntryFile(file)
        select key;
}

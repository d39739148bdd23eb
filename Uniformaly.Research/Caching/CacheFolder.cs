using System.Text.Json;
using System.Text.Json.Nodes;
using Uniformaly.Research.Common;

namespace Uniformaly.Research.Caching;

/// <summary>
/// A folder marked as a feature cache, and what in it belongs to the cache: its marker
/// (uniformaly-cache.json), its entry list (<see cref="CacheJournal"/>), its lock file, and the
/// entries the list names, each at KEY[..2]/KEY.safetensors with any temporary file of its write
/// beside it. Nothing else in the folder is ever read, changed or deleted, whatever its name or
/// extension: users may keep their own files there.
/// </summary>
internal sealed class CacheFolder
{
    public const string MarkerName = "uniformaly-cache.json";
    public const string LockName = "uniformaly-cache.lock";
    private const string Format = "uniformaly-feature-cache";
    private const int Version = 1;

    private CacheFolder(string root, bool createdFolder, CacheJournal journal)
    {
        Root = root;
        CreatedFolder = createdFolder;
        Journal = journal;
    }

    public string Root { get; }

    /// <summary>Whether the cache created the folder itself (a clear then removes it once empty).</summary>
    public bool CreatedFolder { get; }

    public CacheJournal Journal { get; }

    /// <summary>The cache in <paramref name="root"/>, or null when the folder is not marked as one.</summary>
    /// <exception cref="FeatureCacheException">the marker or the entry list is damaged.</exception>
    public static CacheFolder? OpenExisting(string root) =>
        ReadMarker(root) is { } createdFolder
            ? new CacheFolder(root, createdFolder, CacheJournal.Open(Path.Combine(root, CacheJournal.FileName)))
            : null;

    /// <summary>The cache in <paramref name="root"/>, marking the folder as one first if it is not
    /// (creating it if needed). Marking adopts the entries an older Uniformaly left there
    /// (<see cref="LegacyCacheEntries"/>) and nothing else.</summary>
    public static CacheFolder OpenOrCreate(string root)
    {
        if (File.Exists(root)) throw new FeatureCacheException($"feature cache folder {root} is a file, not a folder");
        if (OpenExisting(root) is { } existing) return existing;
        var existed = Directory.Exists(root);
        Directory.CreateDirectory(root);
        using (CacheLock.Acquire(Path.Combine(root, LockName)))
        {
            if (OpenExisting(root) is { } markedMeanwhile) return markedMeanwhile;
            // The list first, the marker last: a crash in between leaves an unmarked folder, marked afresh next time.
            CacheJournal.Create(Path.Combine(root, CacheJournal.FileName), LegacyCacheEntries.Find(root));
            WriteMarker(root, createdFolder: !existed);
        }
        return OpenExisting(root)!;
    }

    public CacheLock Lock() => CacheLock.Acquire(Path.Combine(Root, LockName));

    public string EntryPath(string key) => EntryPath(Root, key);

    // Two-level fan-out keeps folders small for datasets of tens of thousands of images.
    public static string EntryPath(string root, string key) => Path.Combine(root, key[..2], key + ".safetensors");

    /// <summary>Deletes an entry's file, any temporary file a crashed write of it left, and its
    /// fan-out folder once empty. The caller holds the lock and records the removal.</summary>
    public void DeleteEntryFiles(string key)
    {
        var path = EntryPath(key);
        File.Delete(path);
        var folder = Path.GetDirectoryName(path)!;
        if (!Directory.Exists(folder)) return;
        foreach (var temporary in Directory.EnumerateFiles(folder, key + ".safetensors.*.tmp")) File.Delete(temporary);
        if (!Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
    }

    /// <summary>Removes every entry, the cache's own files, and the folder if the cache created it and
    /// nothing else is left in it. The caller holds <paramref name="held"/>, this folder's lock.</summary>
    public void DeleteAll(CacheLock held)
    {
        foreach (var key in Journal.Keys) DeleteEntryFiles(key);
        // Temporary files of interrupted rewrites of the list or the marker (AtomicFile's names).
        foreach (var name in new[] { CacheJournal.FileName, MarkerName })
        foreach (var temporary in Directory.EnumerateFiles(Root, $".{name}.*.tmp")) File.Delete(temporary);
        File.Delete(Path.Combine(Root, CacheJournal.FileName));
        File.Delete(Path.Combine(Root, MarkerName));
        held.DeleteFile();
        if (CreatedFolder && !Directory.EnumerateFileSystemEntries(Root).Any()) Directory.Delete(Root);
    }

    /// <summary>Whether the cache created the folder, or null when there is no marker.</summary>
    private static bool? ReadMarker(string root)
    {
        var path = Path.Combine(root, MarkerName);
        if (!File.Exists(path)) return null;
        try
        {
            var marker = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            if ((string?)marker["format"] == Format && (int?)marker["version"] == Version)
                return (bool?)marker["created_folder"] ?? false;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or NullReferenceException)
        {
        }
        throw new FeatureCacheException($"feature cache {root}: its marker {path} is damaged or from another version of Uniformaly, " +
            "so the cache cannot tell its own files from others and deletes nothing; use another --cache-dir");
    }

    private static void WriteMarker(string root, bool createdFolder) =>
        AtomicFile.WriteAllText(Path.Combine(root, MarkerName), new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
            ["created_folder"] = createdFolder,
            ["about"] = "This folder is a Uniformaly feature cache. The cache owns this file, uniformaly-cache.log (the list of " +
                "its entries), uniformaly-cache.lock and the entries that list names (XX/<key>.safetensors). `uniformaly cache " +
                "clear` deletes exactly those; any other file here is left alone.",
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
}

using System.Security.Cryptography;
using System.Text;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Caching;

/// <summary>
/// The backbone's output per image, on disk, so that sweeps over the kernel size, threshold, k,
/// n_nn or sampler ratio run the backbone once per image. An entry holds the layer-averaged patch
/// features P [N, D] and the head-mean CLS attention [N] (before smoothing, so any n and lambda can
/// be applied later), float32. Entries are keyed by the image file's content and a fingerprint of
/// everything that shapes the features (backbone, layers, attention layer, preprocessing), so a
/// changed file or setting is recomputed. Least recently used entries go when the cache exceeds its limit.
/// The cache owns only what it wrote (<see cref="CacheFolder"/>): its folder is marked as a cache,
/// every entry is recorded in its entry list before it is written, and trimming and clearing touch
/// only the entries that list names, so a user's files in the folder are never touched. Processes
/// may share a cache: every change is made under the folder's lock. One instance is not thread-safe.
/// </summary>
public sealed class FeatureCache
{
    /// <summary>The file that marks a folder as a feature cache.</summary>
    public const string MarkerFileName = CacheFolder.MarkerName;

    private const string FeaturesKey = "features";
    private const string AttentionKey = "cls_attention";

    // A trim goes down to this fraction of the limit, so that a full cache of tens of thousands of
    // entries is not listed again at every store.
    private const double TrimTarget = 0.9;

    public FeatureCache(string root, long sizeLimitBytes)
    {
        if (sizeLimitBytes <= 0) throw new ArgumentOutOfRangeException(nameof(sizeLimitBytes), sizeLimitBytes, "the cache size limit must be positive");
        Root = Path.GetFullPath(root);
        SizeLimitBytes = sizeLimitBytes;
    }

    /// <summary>$UNIFORMALY_CACHE, else $XDG_CACHE_HOME/uniformaly/features, else ~/.cache/uniformaly/features.</summary>
    public static string DefaultRoot =>
        Environment.GetEnvironmentVariable("UNIFORMALY_CACHE") is { Length: > 0 } explicitRoot ? explicitRoot
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "uniformaly", "features");

    public string Root { get; }

    public long SizeLimitBytes { get; }

    // Bytes on disk as this instance last counted them, so that storing an entry does not list the
    // whole cache unless the limit may be exceeded. Entries other processes store are counted at the next trim.
    private long? _knownBytes;

    // The folder is marked (and its entry list read) at the first use, not at construction.
    private CacheFolder? _folder;

    // Marked afresh if another process cleared the cache meanwhile (one stat per use).
    private CacheFolder Folder
    {
        get
        {
            if (_folder is null || !File.Exists(Path.Combine(Root, MarkerFileName))) (_folder, _knownBytes) = (CacheFolder.OpenOrCreate(Root), null);
            return _folder;
        }
    }

    /// <summary>The entry key of an image file's content under a feature fingerprint.</summary>
    public static string Key(string fingerprint, string imagePath)
    {
        using var stream = File.OpenRead(imagePath);
        return Key(fingerprint, SHA256.HashData(stream));
    }

    /// <summary>The entry key of some bytes (e.g. a preprocessed image tensor) under a feature fingerprint.</summary>
    public static string Key(string fingerprint, ReadOnlySpan<byte> content) => Key(fingerprint, SHA256.HashData(content));

    private static string Key(string fingerprint, byte[] contentHash) =>
        Convert.ToHexStringLower(SHA256.HashData([.. Encoding.UTF8.GetBytes(fingerprint), 0, .. contentHash]));

    /// <summary>The cached (features [N, D], attention [N]) of <paramref name="key"/>, or null.</summary>
    public (Tensor Features, Tensor Attention)? TryLoad(string key)
    {
        RequireKey(key);
        var folder = Folder;
        if (!folder.Journal.Contains(key))
        {
            folder.Journal.Refresh(); // another process may have stored it
            if (!folder.Journal.Contains(key)) return null;
        }
        var path = folder.EntryPath(key);
        if (!File.Exists(path)) return null;
        try
        {
            using var entry = SafeTensors.Read(path);
            var loaded = (entry[FeaturesKey].Clone(), entry[AttentionKey].Clone());
            MarkUsed(path);
            return loaded;
        }
        catch (Exception e) when (e is CheckpointException or KeyNotFoundException)
        {
            Forget(key); // a damaged entry is recomputed, never trusted
            return null;
        }
    }

    /// <summary>Stores an entry (CPU float32 copies) and trims the cache to its limit.</summary>
    public void Store(string key, Tensor features, Tensor attention)
    {
        RequireKey(key);
        using var scope = new DisposeScope();
        var tensors = new Dictionary<string, Tensor>
        {
            [FeaturesKey] = features.To(Device.Cpu, DType.Float32),
            [AttentionKey] = attention.To(Device.Cpu, DType.Float32),
        };
        var folder = Folder;
        var path = folder.EntryPath(key);
        using (folder.Lock())
        {
            folder.Journal.Refresh();
            // Recorded before the file exists: a crash can leave a record without its file (dropped at
            // the next trim), never a file the cache does not know it owns.
            if (!folder.Journal.Contains(key)) folder.Journal.Append([('+', key)]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            SafeTensors.Write(path, tensors);
            MarkUsed(path); // to the clock's precision, not the file system's (ticks of a few ms)
        }
        // A rewritten entry is counted twice here; that can only make Trim run early and recount.
        _knownBytes = _knownBytes is { } known ? known + new FileInfo(path).Length : SizeBytes;
        if (_knownBytes > SizeLimitBytes) Trim();
    }

    /// <summary>Total bytes of the cache's entries.</summary>
    public long SizeBytes
    {
        get
        {
            var folder = Folder;
            folder.Journal.Refresh();
            return Present(folder).Sum(e => e.File.Length);
        }
    }

    /// <summary>When the cache exceeds its limit, removes the least recently used entries until it
    /// holds at most 90 % of it. Also drops records whose file a crash never wrote.</summary>
    public void Trim()
    {
        var folder = Folder;
        using var held = folder.Lock();
        folder.Journal.Refresh();
        var listed = Listed(folder).ToList(); // one stat per entry, kept by each FileInfo
        var removed = listed.Where(e => !e.File.Exists).Select(e => ('-', e.Key)).ToList();
        foreach (var (_, key) in removed) folder.DeleteEntryFiles(key); // temporary files a crashed write left
        var entries = listed.Where(e => e.File.Exists).OrderBy(e => e.File.LastAccessTimeUtc).ThenBy(e => e.Key, StringComparer.Ordinal).ToList();
        var total = entries.Sum(e => e.File.Length);
        if (total > SizeLimitBytes)
        {
            foreach (var (key, file) in entries)
            {
                if (total <= SizeLimitBytes * TrimTarget) break;
                folder.DeleteEntryFiles(key);
                removed.Add(('-', key));
                total -= file.Length;
            }
        }
        folder.Journal.Append(removed);
        folder.Journal.CompactIfLarge();
        _knownBytes = total;
    }

    /// <summary>What <paramref name="root"/> holds (<c>uniformaly cache info</c>); changes nothing.</summary>
    /// <exception cref="FeatureCacheException">the folder's marker or entry list is damaged.</exception>
    public static FeatureCacheInfo Inspect(string root)
    {
        root = ExistingFolderOrNothing(root);
        if (!Directory.Exists(root)) return new FeatureCacheInfo(root, Exists: false, IsCache: false, 0, 0, 0, 0);
        return CacheFolder.OpenExisting(root) is { } folder ? Summary(folder) : Unmarked(root);
    }

    /// <summary>Deletes every entry of the cache in <paramref name="root"/>, and its own files; the
    /// folder goes too if the cache created it and nothing else is in it (<c>uniformaly cache clear</c>).
    /// Returns what was there.</summary>
    /// <exception cref="FeatureCacheException">the folder is not a cache, or its marker or entry list
    /// is damaged: nothing was deleted.</exception>
    public static FeatureCacheInfo Clear(string root)
    {
        root = ExistingFolderOrNothing(root);
        if (!Directory.Exists(root)) return new FeatureCacheInfo(root, Exists: false, IsCache: false, 0, 0, 0, 0);
        if (CacheFolder.OpenExisting(root) is not { } folder)
        {
            var unmarked = Unmarked(root);
            return Directory.EnumerateFileSystemEntries(root).Any() ? throw NotACache(unmarked) : unmarked;
        }
        using var held = folder.Lock();
        folder.Journal.Refresh();
        var cleared = Summary(folder);
        folder.DeleteAll(held);
        return cleared;
    }

    /// <summary>Marks <paramref name="root"/> as a cache if it is not one yet, adopting the entries an
    /// older Uniformaly left there (<c>uniformaly cache adopt</c>). Returns what the cache then holds.</summary>
    public static FeatureCacheInfo Adopt(string root)
    {
        CacheFolder.OpenOrCreate(Path.GetFullPath(root));
        return Inspect(root);
    }

    /// <summary>Whether <paramref name="path"/> is laid out as an entry: exactly the two float32
    /// tensors, features [N, D] and cls_attention [N] (read from the header only).</summary>
    internal static bool IsEntryFile(string path)
    {
        try
        {
            var layout = SafeTensors.ReadLayout(path);
            return layout.Count == 2 && layout.TryGetValue(FeaturesKey, out var f) && layout.TryGetValue(AttentionKey, out var a)
                && f.DType == DType.Float32 && a.DType == DType.Float32 && f.Shape.Length == 2 && a.Shape.Length == 1 && a.Shape[0] == f.Shape[0];
        }
        catch (CheckpointException)
        {
            return false;
        }
    }

    private static FeatureCacheException NotACache(FeatureCacheInfo info)
    {
        var message = $"{info.Root} is not a Uniformaly feature cache (it has no {CacheFolder.MarkerName}), so nothing was deleted";
        if (info.LegacyEntries > 0)
            message += $"; it holds {info.LegacyEntries} entries ({info.LegacyBytes / (1024.0 * 1024.0):F1} MiB) laid out like an older " +
                $"Uniformaly cache: `uniformaly cache adopt --cache-dir {info.Root}` makes the folder a cache that owns exactly those, " +
                "then `uniformaly cache clear` removes them";
        return new FeatureCacheException(message);
    }

    private static string ExistingFolderOrNothing(string root)
    {
        root = Path.GetFullPath(root);
        return File.Exists(root) ? throw new FeatureCacheException($"{root} is a file, not a feature cache folder") : root;
    }

    private static FeatureCacheInfo Summary(CacheFolder folder)
    {
        var entries = Present(folder).ToList();
        return new FeatureCacheInfo(folder.Root, Exists: true, IsCache: true, entries.Count, entries.Sum(e => e.File.Length), 0, 0,
            folder.Journal.IgnoredLines);
    }

    private static FeatureCacheInfo Unmarked(string root)
    {
        var legacy = LegacyCacheEntries.Find(root).Select(k => new FileInfo(CacheFolder.EntryPath(root, k))).ToList();
        return new FeatureCacheInfo(root, Exists: true, IsCache: false, 0, 0, legacy.Count, legacy.Sum(f => f.Length));
    }

    /// <summary>The recorded entries whose file exists (the others are records a crash left).</summary>
    private static IEnumerable<(string Key, FileInfo File)> Present(CacheFolder folder) => Listed(folder).Where(e => e.File.Exists);

    private static IEnumerable<(string Key, FileInfo File)> Listed(CacheFolder folder) =>
        folder.Journal.Keys.Select(k => (Key: k, File: new FileInfo(folder.EntryPath(k))));

    /// <summary>Drops a damaged entry, if it is still the cache's.</summary>
    private void Forget(string key)
    {
        var folder = Folder;
        using var held = folder.Lock();
        folder.Journal.Refresh();
        if (!folder.Journal.Contains(key)) return;
        folder.DeleteEntryFiles(key);
        folder.Journal.Append([('-', key)]);
    }

    // The access time orders entries for trimming; an entry removed meanwhile by another process needs none.
    private static void MarkUsed(string path)
    {
        try
        {
            File.SetLastAccessTimeUtc(path, DateTime.UtcNow);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static void RequireKey(string key)
    {
        if (!CacheJournal.IsKey(key)) throw new ArgumentException($"'{key}' is not a cache key (64 lowercase hex digits)", nameof(key));
    }
}

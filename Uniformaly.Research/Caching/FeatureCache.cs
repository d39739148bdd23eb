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
/// </summary>
public sealed class FeatureCache
{
    private const string FeaturesKey = "features";
    private const string AttentionKey = "cls_attention";

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
    // whole cache (tens of thousands of files) unless the limit may be exceeded.
    private long? _knownBytes;

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
        var path = EntryPath(key);
        if (!File.Exists(path)) return null;
        try
        {
            using var entry = SafeTensors.Read(path);
            File.SetLastAccessTimeUtc(path, DateTime.UtcNow);
            return (entry[FeaturesKey].Clone(), entry[AttentionKey].Clone());
        }
        catch (CheckpointException)
        {
            File.Delete(path); // a damaged entry is recomputed, never trusted
            return null;
        }
    }

    /// <summary>Stores an entry (CPU float32 copies) and trims the cache to its limit.</summary>
    public void Store(string key, Tensor features, Tensor attention)
    {
        using var scope = new DisposeScope();
        var path = EntryPath(key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SafeTensors.Write(path, new Dictionary<string, Tensor>
        {
            [FeaturesKey] = features.To(Device.Cpu, DType.Float32),
            [AttentionKey] = attention.To(Device.Cpu, DType.Float32),
        });
        // A rewritten entry is counted twice here; that can only make Trim run early and recount.
        _knownBytes = _knownBytes is { } known ? known + new FileInfo(path).Length : SizeBytes;
        if (_knownBytes > SizeLimitBytes) Trim();
    }

    /// <summary>Total bytes of all entries.</summary>
    public long SizeBytes => Entries().Sum(f => f.Length);

    /// <summary>Deletes every entry (<c>uniformaly cache clear</c>).</summary>
    public static void Clear(string root)
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    /// <summary>Removes the least recently used entries until the cache fits its limit.</summary>
    public void Trim()
    {
        var entries = Entries().OrderBy(f => f.LastAccessTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal).ToList();
        var total = entries.Sum(f => f.Length);
        foreach (var entry in entries)
        {
            if (total <= SizeLimitBytes) break;
            total -= entry.Length;
            entry.Delete();
        }
        _knownBytes = total;
    }

    private IEnumerable<FileInfo> Entries() =>
        Directory.Exists(Root)
            ? new DirectoryInfo(Root).EnumerateFiles("*.safetensors", SearchOption.AllDirectories)
            : [];

    // Two-level fan-out keeps folders small for datasets of tens of thousands of images.
    private string EntryPath(string key) => Path.Combine(Root, key[..2], key + ".safetensors");
}

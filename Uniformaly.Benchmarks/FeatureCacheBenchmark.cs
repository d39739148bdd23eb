using BenchmarkDotNet.Attributes;
using Uniformaly.Research.Caching;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Torch;

namespace Uniformaly.Benchmarks;

/// <summary>
/// What the feature cache's bookkeeping costs on a cache of tens of thousands of entries, against
/// the entry write it guards, in the same run: storing an entry (the record appended to the entry
/// list under the folder lock, then the file written) against writing the same file alone (all the
/// cache did before it kept a list); reading the whole list, as a process does when it first uses
/// the cache; and a trim's pass over every listed entry when nothing needs to go. Entries are ViT-S/16's
/// 196 patches with 8 channels, so that the disk holds the count, not the bytes, of a real cache.
/// </summary>
[Config(typeof(FeatureCacheBenchmarkConfig))]
public class FeatureCacheBenchmark
{
    // Filled once per process and shared by the four benchmarks (in-process toolchain): filling
    // takes minutes, every entry write being flushed to disk.
    private static string _folder = null!;
    private static FeatureCache _cache = null!;
    private static Dictionary<string, Tensor> _entry = null!;
    private static int _next;

    [Params(20_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkRuntime.Prepare();
        if (_next > 0) return;
        _folder = Path.Combine(Path.GetTempPath(), "uniformaly-cache-bench-" + Guid.NewGuid().ToString("N"));
        _entry = new Dictionary<string, Tensor> { ["features"] = Tensor.Rand([196, 8]), ["cls_attention"] = Tensor.Rand([196]) };
        _cache = new FeatureCache(Path.Combine(_folder, "cache"), long.MaxValue);
        for (var i = 0; i < Entries; i++) Store();
        Directory.CreateDirectory(Path.Combine(_folder, "plain"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, Description = "the entry file alone (SafeTensors.Write)")]
    public void WriteAlone()
    {
        var key = NextKey();
        var path = Path.Combine(_folder, "plain", key[..2], key + ".safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SafeTensors.Write(path, _entry);
    }

    [Benchmark(Description = "FeatureCache.Store (list, lock, write)")]
    public void Store() => _cache.Store(NextKey(), _entry["features"], _entry["cls_attention"]);

    [Benchmark(Description = "first use by a new process (reads the list)")]
    public object? Open() => new FeatureCache(_cache.Root, long.MaxValue).TryLoad(FeatureCache.Key("absent", [0]));

    [Benchmark(Description = "Trim with nothing to evict (stats every entry)")]
    public void Trim() => _cache.Trim();

    private static string NextKey() => FeatureCache.Key("bench", BitConverter.GetBytes(_next++));
}

/// <summary><see cref="InProcessConfig"/>, long-running (an iteration of flushed writes on a busy disk
/// can outlast the default limit).</summary>
public sealed class FeatureCacheBenchmarkConfig : InProcessConfig
{
    public FeatureCacheBenchmarkConfig() : base(LongRunning)
    {
    }
}

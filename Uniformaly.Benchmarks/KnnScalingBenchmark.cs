using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Uniformaly.Research.Torch;

namespace Uniformaly.Benchmarks;

/// <summary>
/// Exact kNN across the sizes of issue 7: banks of 16k to 1M rows, D = 384 and 768, one image
/// (784 queries) and a batch of 8 images, on the CPU and on CUDA where the bridge has it; the
/// references (faiss IndexFlatL2 on the CPU, PyTorch's cdist + min and mm + min on the same
/// device) run in the same process with the same threads. Long (hours on a 2-core CPU: the 1M-row
/// cases alone are ~10 TFLOP per batch); pick cases with BenchmarkDotNet's filters, e.g.
/// <c>make bench ARGS="--filter '*KnnScaling*' --job short"</c>. Needs about 4.5 x the largest
/// bank's float32 size in memory (bank, its bfloat16 copy, faiss's and PyTorch's copies).
/// </summary>
[Config(typeof(Config))]
public class KnnScalingBenchmark
{
    private KnnWorkload _workload = null!;

    [Params(16384, 65536, 262144, 1048576)]
    public int Bank { get; set; }

    [Params(384, 768)]
    public int Dim { get; set; }

    /// <summary>784 queries: one image of 28x28 patches; 6272: a batch of 8 images.</summary>
    [Params(784, 6272)]
    public int Queries { get; set; }

    [ParamsSource(nameof(Devices))]
    public string Device { get; set; } = "cpu";

    /// <summary>cpu, and cuda when the bridge's libtorch has it.</summary>
    public static IEnumerable<string> Devices()
    {
        TorchRuntime.Initialize();
        return TorchRuntime.CudaIsAvailable ? ["cpu", "cuda"] : ["cpu"];
    }

    [GlobalSetup]
    public void Setup() => _workload = KnnWorkload.Create(Bank, Queries, Dim, 1, Device);

    [GlobalCleanup]
    public void Cleanup() => _workload.Dispose();

    [Benchmark(Baseline = true, Description = "PyTorch mm + min (chunked)")]
    public void TorchMm() => _workload.Reference("mm");

    [Benchmark(Description = "PyTorch cdist + min (chunked)")]
    public void TorchCdist() => _workload.Reference("cdist");

    [Benchmark(Description = "faiss IndexFlatL2 (CPU)")]
    public void Faiss() => _workload.Reference("faiss");

    [Benchmark(Description = "Uniformaly exact float32")]
    public void Exact() => _workload.Exact();

    [Benchmark(Description = "Uniformaly certified bfloat16 (exact)")]
    public void CertifiedBFloat16() => _workload.Certified();

    /// <summary>In-process like the other suites, with fewer iterations: one case can take minutes.</summary>
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(1).WithIterationCount(5).WithInvocationCount(1).WithUnrollFactor(1));
            AddColumnProvider(BenchmarkDotNet.Columns.DefaultColumnProviders.Instance);
            AddColumn(BenchmarkDotNet.Columns.BaselineRatioColumn.RatioMean);
            WithOptions(ConfigOptions.DisableOptimizationsValidator);
        }
    }
}

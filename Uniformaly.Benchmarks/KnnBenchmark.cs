using BenchmarkDotNet.Attributes;

namespace Uniformaly.Benchmarks;

/// <summary>
/// The headline exact-kNN comparison (issue 4's target: at least 1.3x faiss's throughput): a
/// 65536 x 768 bank, one 28x28-patch image (784 queries), n_nn = 1, on the CPU, against faiss
/// IndexFlatL2 (Debian's python3-faiss) and PyTorch's own formulations in the same run with the
/// same threads: <c>make bench ARGS="--filter '*KnnBenchmark*'"</c>. Standalone figures:
/// <c>uniformaly bench knn --json [--precision bf16]</c> and <c>tools/bench/faiss_knn.py</c>.
/// The full grid of sizes and devices is <see cref="KnnScalingBenchmark"/>.
/// </summary>
[Config(typeof(InProcessConfig))]
public class KnnBenchmark
{
    private KnnWorkload _workload = null!;

    [Params(65536)]
    public int Bank { get; set; }

    [Params(784)]
    public int Queries { get; set; }

    [Params(768)]
    public int Dim { get; set; }

    [Params(1)]
    public int Nn { get; set; }

    [GlobalSetup]
    public void Setup() => _workload = KnnWorkload.Create(Bank, Queries, Dim, Nn, "cpu");

    [GlobalCleanup]
    public void Cleanup() => _workload.Dispose();

    [Benchmark(Baseline = true, Description = "faiss IndexFlatL2")]
    public void Faiss() => _workload.Reference("faiss");

    [Benchmark(Description = "PyTorch mm + min (chunked)")]
    public void TorchMm() => _workload.Reference("mm");

    [Benchmark(Description = "PyTorch cdist + min (chunked)")]
    public void TorchCdist() => _workload.Reference("cdist");

    [Benchmark(Description = "Uniformaly exact float32")]
    public void Exact() => _workload.Exact();

    [Benchmark(Description = "Uniformaly certified bfloat16 (exact)")]
    public void CertifiedBFloat16() => _workload.Certified();
}

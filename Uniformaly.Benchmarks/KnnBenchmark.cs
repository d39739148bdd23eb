using BenchmarkDotNet.Attributes;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Torch;

namespace Uniformaly.Benchmarks;

/// <summary>
/// Exact kNN over a 65536 x 768 bank for one 28x28-patch image (784 queries) against faiss
/// IndexFlatL2 (Debian's python3-faiss) in the same run with the same threads:
/// <c>make bench ARGS="--filter *Knn*"</c>. Standalone figures: <c>uniformaly bench knn --json</c>
/// and <c>tools/bench/faiss_knn.py</c>. Target: at least 1.3x faiss's throughput.
/// </summary>
[Config(typeof(InProcessConfig))]
public class KnnBenchmark
{
    private PythonReference _reference = null!;
    private MemoryBank _bank = null!;
    private ExactNearestNeighbourSearch _exact = null!;
    private ExactNearestNeighbourSearch _bfloat16 = null!;
    private Tensor _queries = null!;

    [Params(65536)]
    public int Bank { get; set; }

    [Params(784)]
    public int Queries { get; set; }

    [Params(768)]
    public int Dim { get; set; }

    [Params(1)]
    public int Nn { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkRuntime.Prepare();
        _bank = MemoryBank.FromFeatures(Tensor.Randn([Bank, Dim]), Device.Cpu);
        _queries = Tensor.Randn([Queries, Dim]);
        _exact = new ExactNearestNeighbourSearch(_bank);
        _bfloat16 = new ExactNearestNeighbourSearch(_bank, precision: SearchPrecision.CertifiedBFloat16);
        _reference = PythonReference.Start("knn_faiss", BenchmarkRuntime.Threads, new Dictionary<string, object>
        {
            ["bank"] = Bank, ["queries"] = Queries, ["dim"] = Dim, ["nn"] = Nn,
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reference.Dispose();
        _exact.Dispose();
        _bfloat16.Dispose();
        _queries.Dispose();
        _bank.Dispose();
    }

    [Benchmark(Baseline = true, Description = "faiss IndexFlatL2")]
    public void Faiss() => _reference.Run(1);

    [Benchmark(Description = "Uniformaly exact float32")]
    public void Exact() => _exact.Search(_queries, Nn).Dispose();

    [Benchmark(Description = "Uniformaly certified bfloat16 (exact)")]
    public void CertifiedBFloat16() => _bfloat16.Search(_queries, Nn).Dispose();
}

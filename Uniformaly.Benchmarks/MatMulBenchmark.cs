using BenchmarkDotNet.Attributes;
using Uniformaly.Research.Torch;

namespace Uniformaly.Benchmarks;

/// <summary>
/// Square float32 matmul through the bridge against Debian's python3-torch in the same run, with
/// the same thread count. The bridge adds one P/Invoke per call, so its GFLOP/s should be within
/// a few percent of PyTorch's (target: at least 90 %).
/// </summary>
[Config(typeof(InProcessConfig))]
public class MatMulBenchmark
{
    private const int Repeats = 8;

    private PythonReference _reference = null!;
    private Tensor _a = null!;
    private Tensor _b = null!;

    [Params(1024)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkRuntime.Prepare();
        _a = Tensor.Rand([N, N]);
        _b = Tensor.Rand([N, N]);
        _reference = PythonReference.Start("matmul", BenchmarkRuntime.Threads, new Dictionary<string, object> { ["n"] = N });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reference.Dispose();
        _a.Dispose();
        _b.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Repeats, Description = "python3-torch mm")]
    public void PyTorch() => _reference.Run(Repeats);

    [Benchmark(OperationsPerInvoke = Repeats, Description = "Uniformaly bridge MatMul")]
    public void Bridge()
    {
        for (var i = 0; i < Repeats; i++) _a.Mm(_b).Dispose();
    }
}

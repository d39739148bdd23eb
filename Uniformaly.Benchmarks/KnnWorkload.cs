using Uniformaly.Research.Bank;
using Uniformaly.Research.Search;
using Uniformaly.Research.Torch;

namespace Uniformaly.Benchmarks;

/// <summary>One kNN case of the benchmarks: a standard-normal bank and query batch, the float32 and
/// certified bfloat16 searches over it, and the Python references (tools/bench/reference_server.py,
/// kind "knn") holding the same-sized data.</summary>
public sealed class KnnWorkload : IDisposable
{
    private readonly PythonReference _reference;
    private readonly MemoryBank _bank;
    private readonly Tensor _queries;
    private readonly ExactNearestNeighbourSearch _exact;
    private readonly ExactNearestNeighbourSearch _certified;
    private readonly Device _device;
    private readonly int _neighbours;

    private KnnWorkload(PythonReference reference, MemoryBank bank, Tensor queries, Device device, int neighbours)
    {
        (_reference, _bank, _queries, _device, _neighbours) = (reference, bank, queries, device, neighbours);
        _exact = new ExactNearestNeighbourSearch(bank);
        _certified = new ExactNearestNeighbourSearch(bank, precision: SearchPrecision.CertifiedBFloat16);
    }

    public static KnnWorkload Create(int bank, int queries, int dim, int neighbours, string device)
    {
        BenchmarkRuntime.Prepare();
        var target = Device.Parse(device);
        var features = MemoryBank.FromFeatures(Tensor.Randn([bank, dim]), target);
        var queryBatch = Tensor.Randn([queries, dim]).To(target).DetachFromDisposeScope();
        var reference = PythonReference.Start("knn", BenchmarkRuntime.Threads, new Dictionary<string, object>
        {
            ["bank"] = bank, ["queries"] = queries, ["dim"] = dim, ["nn"] = neighbours, ["device"] = device,
        });
        return new KnnWorkload(reference, features, queryBatch, target, neighbours);
    }

    /// <summary>One search with the Python <paramref name="variant"/>: faiss, cdist or mm.</summary>
    public void Reference(string variant) => _reference.Run(1, variant);

    public void Exact() => Search(_exact);

    public void Certified() => Search(_certified);

    /// <summary>One search, synchronized on CUDA so the work is counted.</summary>
    private void Search(ExactNearestNeighbourSearch search)
    {
        using (search.Search(_queries, _neighbours))
            if (_device.IsCuda) TorchRuntime.CudaSynchronize(_device.Index);
    }

    public void Dispose()
    {
        _reference.Dispose();
        _exact.Dispose();
        _certified.Dispose();
        _queries.Dispose();
        _bank.Dispose();
    }
}

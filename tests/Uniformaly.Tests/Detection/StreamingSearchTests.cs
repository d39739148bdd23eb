using NUnit.Framework;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Detection;

/// <summary>The streaming search over a host-memory bank gives bit for bit the in-memory search's
/// answer; on a CPU-only libtorch (host = device = cpu) it runs the same double-buffered code path.</summary>
public sealed class StreamingSearchTests
{
    /// <summary>Uneven chunks (the last one short), one chunk, chunks of n_nn rows; faiss fixture data
    /// with its duplicate rows, and near-tie data.</summary>
    [TestCase("faiss", 1, 437L)]
    [TestCase("faiss", 3, 437L)]
    [TestCase("faiss", 3, 3L)]
    [TestCase("faiss", 1, null)]
    [TestCase("last-bit", 1, 999L)]
    [TestCase("last-bit", 3, 1000L)]
    public void Search_EqualsTheInMemorySearch(string data, int neighbours, long? chunkRows)
    {
        using var scope = new DisposeScope();
        var (features, queries) = data == "faiss"
            ? (DetectionFixtures.Load("knn_bank"), DetectionFixtures.Load("knn_queries"))
            : LastBit();
        var device = TorchRuntime.CudaIsAvailable ? Device.Cuda() : Device.Cpu;
        using var bank = MemoryBank.FromFeatures(features, device);
        using var inMemory = new ExactNearestNeighbourSearch(bank, chunkRows: chunkRows ?? features.Size(0));
        using var streaming = new StreamingNearestNeighbourSearch(features, device, chunkRows: chunkRows ?? features.Size(0));
        Assert.That(streaming.IsPinned, Is.EqualTo(device.IsCuda));
        using var expected = inMemory.Search(queries, neighbours);
        using var actual = streaming.Search(queries, neighbours);
        Assert.That(actual.Indices.ToArray<long>(), Is.EqualTo(expected.Indices.ToArray<long>()));
        Assert.That(actual.SquaredDistances.ToArray<float>(), Is.EqualTo(expected.SquaredDistances.ToArray<float>()));
        Assert.That(actual.SquaredDistances.Device, Is.EqualTo(device));
    }

    [Test]
    public void Search_MatchesFaissIndexFlatL2()
    {
        using var scope = new DisposeScope();
        using var search = new StreamingNearestNeighbourSearch(DetectionFixtures.Load("knn_bank"), Device.Cpu, chunkRows: 500);
        using var result = search.Search(DetectionFixtures.Load("knn_queries"), 3);
        NumericAssert.Close(result.SquaredDistances.ToArray<float>(), DetectionFixtures.Floats("knn_distances_k3"),
            Tolerances.SquaredDistance(64), "squared distances", DetectionFixtures.KnnScale);
    }

    [Test]
    public void ChunkRows_CountTheTwoBankBuffers()
    {
        using var scope = new DisposeScope();
        using var search = new StreamingNearestNeighbourSearch(Tensor.Zeros([100_000, 4]), Device.Cpu, memoryBudgetBytes: 4L * (784 + 8) * 1000);
        Assert.That(search.ChunkRows(784), Is.EqualTo(1000));
        Assert.That(search.Count, Is.EqualTo(100_000));
        Assert.That(search.Dim, Is.EqualTo(4));
    }

    [Test]
    public void BadArguments_AreRejectedWithTheirNames()
    {
        using var scope = new DisposeScope();
        Assert.That(() => new StreamingNearestNeighbourSearch(Tensor.Zeros([0, 4]), Device.Cpu),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("features"));
        Assert.That(() => new StreamingNearestNeighbourSearch(Tensor.Zeros([5, 4]), Device.Cpu, chunkRows: 0),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("chunkRows"));
        using var search = new StreamingNearestNeighbourSearch(Tensor.Zeros([5, 4]), Device.Cpu);
        Assert.That(() => search.Search(Tensor.Zeros([2, 3])), Throws.ArgumentException.With.Property("ParamName").EqualTo("queries"));
        Assert.That(() => search.Search(Tensor.Zeros([2, 4]), 6), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("neighbours"));
    }

    [Test]
    public void CudaWithoutCuda_IsATorchException()
    {
        Cuda.RequireAbsent();
        using var scope = new DisposeScope();
        Assert.That(() => new StreamingNearestNeighbourSearch(Tensor.Zeros([5, 4]), Device.Cuda()), Throws.TypeOf<TorchException>());
    }

    private static (Tensor Bank, Tensor Queries) LastBit()
    {
        var data = NearTieData.LastBit(pairs: 1500, queries: 200, dim: 80, seed: 6);
        return (Tensor.FromArray(data.Bank, data.Rows, data.Dim), Tensor.FromArray(data.Queries, data.QueryCount, data.Dim));
    }
}

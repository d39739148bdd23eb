using NUnit.Framework;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Detection;

/// <summary>Exact chunked search against faiss IndexFlatL2 (SPEC section 7).</summary>
public sealed class NearestNeighbourTests
{
    /// <summary>One chunk for the whole bank (default budget), 7 uneven chunks, and chunks of
    /// n_nn rows, so the running merge across chunks is exercised.</summary>
    [TestCase(1, null)]
    [TestCase(1, 437L)]
    [TestCase(3, null)]
    [TestCase(3, 437L)]
    [TestCase(3, 3L)]
    [TestCase(1, 1L, Category = "Slow")]
    public void Search_MatchesFaissIndexFlatL2(int neighbours, long? chunkRows) =>
        AssertMatchesFaiss(neighbours, chunkRows, SearchPrecision.Float32);

    /// <summary>The certified bfloat16 mode gives faiss's rows and float32 distances.</summary>
    [TestCase(1, null)]
    [TestCase(3, 437L)]
    public void CertifiedBFloat16_MatchesFaissIndexFlatL2(int neighbours, long? chunkRows) =>
        AssertMatchesFaiss(neighbours, chunkRows, SearchPrecision.CertifiedBFloat16);

    private static void AssertMatchesFaiss(int neighbours, long? chunkRows, SearchPrecision precision)
    {
        using var scope = new DisposeScope();
        using var bank = MemoryBank.FromFeatures(DetectionFixtures.Load("knn_bank"), Device.Cpu);
        using var search = new ExactNearestNeighbourSearch(bank, chunkRows: chunkRows, precision: precision);
        using var result = search.Search(DetectionFixtures.Load("knn_queries"), neighbours);

        Assert.That(result.SquaredDistances.Shape, Is.EqualTo(new long[] { 300, neighbours }));
        Assert.That(result.Indices.Shape, Is.EqualTo(new long[] { 300, neighbours }));
        NumericAssert.Close(result.SquaredDistances.ToArray<float>(), DetectionFixtures.Floats($"knn_distances_k{neighbours}"),
            Tolerances.SquaredDistance(64), "squared distances", DetectionFixtures.KnnScale);

        var expectedRows = DetectionFixtures.Longs($"knn_indices_k{neighbours}");
        var actualRows = result.Indices.ToArray<long>();
        var unambiguous = DetectionFixtures.Load($"knn_unambiguous_k{neighbours}").ToArray<bool>();
        Assert.That(unambiguous.Count(u => u), Is.GreaterThan(200), "most queries have no near tie");
        for (var q = 0; q < unambiguous.Length; q++)
            if (unambiguous[q])
                Assert.That(actualRows.Skip(q * neighbours).Take(neighbours), Is.EqualTo(expectedRows.Skip(q * neighbours).Take(neighbours)), $"query {q}");
    }

    [Test]
    public void Search_DuplicateRows_GiveDistanceZeroAtEitherCopy()
    {
        // Bank rows 2000..2099 duplicate rows 0..99; the first 40 queries are bank rows.
        using var scope = new DisposeScope();
        var bankFeatures = DetectionFixtures.Load("knn_bank");
        using var bank = MemoryBank.FromFeatures(bankFeatures, Device.Cpu);
        using var search = new ExactNearestNeighbourSearch(bank, chunkRows: 500);
        using var result = search.Search(DetectionFixtures.Load("knn_queries"), 1);
        var distances = result.SquaredDistances.ToArray<float>();
        var rows = result.Indices.ToArray<long>();
        var queries = DetectionFixtures.Load("knn_queries");
        NumericAssert.Close(distances[..40], new float[40], Tolerances.SquaredDistance(64), "distances to copies", DetectionFixtures.KnnScale);
        for (var q = 0; q < 40; q++)
        {
            Assert.That(bankFeatures.Select(0, rows[q]).ToArray<float>(), Is.EqualTo(queries.Select(0, q).ToArray<float>()), $"query {q} row");
        }
    }

    [Test]
    public void PatchScores_AreTheMeanOfTheNearestSquaredDistances()
    {
        using var scope = new DisposeScope();
        using var bank = MemoryBank.FromFeatures(DetectionFixtures.Load("knn_bank"), Device.Cpu);
        using var search = new ExactNearestNeighbourSearch(bank);
        using var result = search.Search(DetectionFixtures.Load("knn_queries"), 3);
        var expected = DetectionFixtures.Floats("knn_distances_k3").Chunk(3).Select(d => d.Average()).ToArray();
        NumericAssert.Close(result.PatchScores().ToArray<float>(), expected, Tolerances.SquaredDistance(64), "patch scores", DetectionFixtures.KnnScale);
    }

    [Test]
    public void ChunkRows_FollowTheMemoryBudget()
    {
        using var scope = new DisposeScope();
        using var bank = MemoryBank.FromFeatures(Tensor.Zeros([100_000, 4]), Device.Cpu);
        Assert.That(new ExactNearestNeighbourSearch(bank, memoryBudgetBytes: 784L * 4 * 1000).ChunkRows(784), Is.EqualTo(1000));
        // 16 MiB / (4 bytes x 784 queries) = 5,349 rows; a small batch takes the whole bank.
        Assert.That(new ExactNearestNeighbourSearch(bank).ChunkRows(784), Is.EqualTo(5_349));
        Assert.That(new ExactNearestNeighbourSearch(bank).ChunkRows(10), Is.EqualTo(100_000));
        // A huge batch still gets 512-row blocks; a fixed chunk overrides the budget.
        Assert.That(new ExactNearestNeighbourSearch(bank, memoryBudgetBytes: 1).ChunkRows(784, neighbours: 5), Is.EqualTo(512));
        Assert.That(new ExactNearestNeighbourSearch(bank, chunkRows: 3).ChunkRows(784, neighbours: 5), Is.EqualTo(5));
    }

    [Test]
    public void BadArguments_AreRejectedWithTheirNames()
    {
        using var scope = new DisposeScope();
        using var bank = MemoryBank.FromFeatures(Tensor.Zeros([5, 4]), Device.Cpu);
        using var search = new ExactNearestNeighbourSearch(bank);
        Assert.That(() => search.Search(Tensor.Zeros([2, 3])), Throws.ArgumentException.With.Property("ParamName").EqualTo("queries"));
        Assert.That(() => search.Search(Tensor.Zeros([2, 4]), 6), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("neighbours"));
        Assert.That(() => search.Search(Tensor.Zeros([2, 4]), 0), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new ExactNearestNeighbourSearch(bank, memoryBudgetBytes: 0), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}

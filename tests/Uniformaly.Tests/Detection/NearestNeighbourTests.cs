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
    [TestCase(1, 1L)]
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
        var expected = DetectionFixtures.Floats($"knn_distances_k{neighbours}");
        var actual = result.SquaredDistances.ToArray<float>();
        for (var i = 0; i < expected.Length; i++)
            Assert.That(actual[i], Is.EqualTo(expected[i]).Within(1e-4 * Math.Abs(expected[i]) + 1e-4), $"distance {i}");

        var expectedRows = DetectionFixtures.Longs($"knn_indices_k{neighbours}");
        var actualRows = result.Indices.ToArray<long>();
        var unambiguous = DetectionFixtures.Load($"knn_unambiguous_k{neighbours}").ToArray<bool>();
        Assert.That(unambiguous.Count(u => u), Is.GreaterThan(200), "most queries have no near tie");
        for (var q = 0; q < unambiguous.Length; q++)
            if (unambiguous[q])
                Assert.That(actualRows.Skip(q * neighbours).Take(neighbours), Is.EqualTo(expectedRows.Skip(q * neighbours).Take(neighbours)), $"query {q}");
    }

    /// <summary>
    /// Certified bfloat16 against the float32 search on data built to defeat bfloat16 ranking:
    /// uniform features, whose distances crowd together so the bound proves almost nothing (the
    /// float32 fallback must take over), and near-duplicate bank rows a bfloat16 step apart, where
    /// the bfloat16 order is wrong. Gaussian features show the certified path itself agreeing.
    /// </summary>
    [TestCase("uniform", 1)]
    [TestCase("uniform", 3)]
    [TestCase("near-duplicates", 1)]
    [TestCase("near-duplicates", 2)]
    [TestCase("gaussian", 1)]
    [TestCase("gaussian", 4)]
    public void CertifiedBFloat16_EqualsFloat32Search(string data, int neighbours)
    {
        using var scope = new DisposeScope();
        TorchRuntime.ManualSeed(5);
        var (bankRows, queries) = data switch
        {
            "uniform" => (Tensor.Rand([3000, 96]), Tensor.Rand([200, 96])),
            "gaussian" => (Tensor.Randn([3000, 96]), Tensor.Randn([200, 96])),
            _ => NearDuplicates(),
        };
        using var bank = MemoryBank.FromFeatures(bankRows, Device.Cpu);
        using var exact = new ExactNearestNeighbourSearch(bank, chunkRows: 700);
        using var certified = new ExactNearestNeighbourSearch(bank, chunkRows: 700, precision: SearchPrecision.CertifiedBFloat16);
        using var expected = exact.Search(queries, neighbours);
        using var actual = certified.Search(queries, neighbours);
        Assert.That(actual.Indices.ToArray<long>(), Is.EqualTo(expected.Indices.ToArray<long>()));
        var (e, a) = (expected.SquaredDistances.ToArray<float>(), actual.SquaredDistances.ToArray<float>());
        for (var i = 0; i < e.Length; i++) Assert.That(a[i], Is.EqualTo(e[i]).Within(1e-4 * Math.Abs(e[i]) + 1e-3), $"distance {i}");
    }

    /// <summary>Pairs of bank rows that differ by 1/32 in one coordinate and queries 1.5/32 from the
    /// first of each pair: the two distances differ by 2/32², which float32 resolves at these
    /// magnitudes (~1000) and bfloat16 (resolution 8 there) does not.</summary>
    private static (Tensor Bank, Tensor Queries) NearDuplicates()
    {
        var centres = Tensor.Randn([1000, 64]) * 4;
        var nudge = Tensor.Zeros([1000, 64]);
        nudge.Narrow(1, 0, 1).Fill(1.0 / 32);
        var bank = Tensor.Cat([centres, centres + nudge, Tensor.Randn([1000, 64]) * 4]);
        var queries = centres.Narrow(0, 0, 200) + nudge.Narrow(0, 0, 200) * 1.5;
        return (bank, queries);
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
        for (var q = 0; q < 40; q++)
        {
            Assert.That(distances[q], Is.EqualTo(0f).Within(1e-3), $"query {q}");
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
        var scores = result.PatchScores().ToArray<float>();
        for (var i = 0; i < expected.Length; i++)
            Assert.That(scores[i], Is.EqualTo(expected[i]).Within(1e-4 * expected[i] + 1e-4));
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

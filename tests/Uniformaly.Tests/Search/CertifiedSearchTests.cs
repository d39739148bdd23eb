using NUnit.Framework;
using Uniformaly.Research.Bank;
using Uniformaly.Research.Search;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Search;

/// <summary>
/// <see cref="SearchPrecision.CertifiedBFloat16"/> returns the float32 search's answer: the same
/// rows (where the float32 search can tell the rows apart at all) and the same distances within
/// float32 rounding, on random data and on data built to defeat the bfloat16 ranking.
/// </summary>
public sealed class CertifiedSearchTests
{
    /// <summary>Unstructured data: the proof succeeds for nearly every query, so the certified path
    /// itself (not its float32 fallback) gives the answer, across uneven chunks.</summary>
    [TestCase(1, 700L, true)]
    [TestCase(1, 700L, false)]
    [TestCase(3, 700L, true)]
    [TestCase(1, null, true)]
    [TestCase(5, 1024L, true)]
    [TestCase(5, 1024L, false)]
    public void Gaussian_EqualsFloat32_MostlyCertified(int neighbours, long? chunkRows, bool cpuKernels)
    {
        var data = NearTieData.Gaussian(rows: 5000, queries: 300, dim: 96, seed: 1);
        var searchedAgain = AssertCertifiedEqualsFloat32(data, neighbours, chunkRows, maxExcusedFraction: 0, cpuKernels: cpuKernels);
        Assert.That(searchedAgain, Is.LessThan(0.1 * data.QueryCount), "queries the bound could not certify");
    }

    /// <summary>More candidates than <see cref="Tensor.UpdateSmallest"/>'s fused loop keeps: the
    /// device-generic path with the top-k selection that CUDA uses, end to end on the CPU, and the
    /// fused CPU ranking with as many candidates, on random and on tie data.</summary>
    [TestCase("gaussian", 1, false)]
    [TestCase("ties", 3, false, Category = "Slow")]
    [TestCase("ties", 3, true)]
    public void ManyCandidates_EqualFloat32(string kind, int neighbours, bool cpuKernels)
    {
        var data = kind == "gaussian"
            ? NearTieData.Gaussian(rows: 3000, queries: 100, dim: 64, seed: 8)
            : NearTieData.BFloat16Ties(groups: 200, copies: 80, queries: 100, dim: 32, seed: 9);
        var searchedAgain = AssertCertifiedEqualsFloat32(data, neighbours, chunkRows: 900, maxExcusedFraction: 0.02, rerankCandidates: 70, cpuKernels: cpuKernels);
        if (kind == "ties") Assert.That(searchedAgain, Is.EqualTo(data.QueryCount), "80 copies cannot fit 72 candidates");
    }

    /// <summary>A budget so small that the device-generic path measures the candidates in blocks of
    /// a few queries.</summary>
    [Test]
    public void SmallMemoryBudget_MeasuresCandidatesInBlocks_SameAnswer()
    {
        var data = NearTieData.Gaussian(rows: 3000, queries: 100, dim: 64, seed: 7);
        AssertCertifiedEqualsFloat32(data, 2, chunkRows: null, maxExcusedFraction: 0, memoryBudgetBytes: 9 * 4 * 64 * 7, cpuKernels: false);
    }

    /// <summary>Groups of copies that are identical after bfloat16 rounding: with fewer copies than
    /// candidates the certified path must order them in float32; with more, the candidates cannot
    /// hold them all, the proof must fail and the float32 fallback answer.</summary>
    [TestCase(3, 1, true)]
    [TestCase(3, 1, false)]
    [TestCase(3, 3, true)]
    [TestCase(20, 1, true)]
    [TestCase(20, 1, false)]
    [TestCase(20, 3, true)]
    public void BFloat16Ties_EqualFloat32(int copies, int neighbours, bool cpuKernels)
    {
        var data = NearTieData.BFloat16Ties(groups: 300, copies: copies, queries: 200, dim: 64, seed: 2);
        var searchedAgain = AssertCertifiedEqualsFloat32(data, neighbours, chunkRows: 650, maxExcusedFraction: 0.02, cpuKernels: cpuKernels);
        if (copies > ExactNearestNeighbourSearch.DefaultRerankCandidates)
            Assert.That(searchedAgain, Is.EqualTo(data.QueryCount), "ties beyond the candidates cannot be certified");
    }

    /// <summary>Many bank rows with exactly equal bfloat16 values whose float32 order only the
    /// rounding of the queries, or of the bank, decides: the proof must fail whenever a left-out row
    /// could be nearer, so without the bound's |q − q̃| or max |b − b̃| term these go wrong.</summary>
    [TestCase(true, false, 1, true)]
    [TestCase(true, false, 1, false)]
    [TestCase(false, true, 1, true)]
    [TestCase(false, true, 1, false)]
    [TestCase(true, true, 3, true)]
    public void RoundingTies_EqualFloat32(bool perturbQueries, bool perturbBank, int neighbours, bool cpuKernels)
    {
        var data = NearTieData.RoundingTies(centres: 100, dim: 32, perturbQueries, perturbBank, seed: 6);
        AssertCertifiedEqualsFloat32(data, neighbours, chunkRows: 1000, maxExcusedFraction: 0.02, cpuKernels: cpuKernels);
    }

    /// <summary>Exact duplicate rows (up to 20 copies, in different chunks): exact ties go to the
    /// lower row where the float32 search sees them as ties too.</summary>
    [TestCase(2, 1, true)]
    [TestCase(20, 1, true)]
    [TestCase(20, 1, false)]
    [TestCase(20, 3, true)]
    public void DuplicateRows_EqualFloat32(int copies, int neighbours, bool cpuKernels)
    {
        var data = NearTieData.Duplicates(rows: 2000, duplicated: 150, copies: copies, queries: 150, dim: 48, seed: 3);
        AssertCertifiedEqualsFloat32(data, neighbours, chunkRows: 900, maxExcusedFraction: 0.05, cpuKernels: cpuKernels);
    }

    /// <summary>Rows that differ in the last float32 bit of one coordinate: only float32 rounding
    /// separates them, so either may be returned, always with the float32 distance.</summary>
    [TestCase(1)]
    [TestCase(3)]
    public void LastBitPairs_EqualFloat32(int neighbours)
    {
        var data = NearTieData.LastBit(pairs: 1500, queries: 200, dim: 80, seed: 4);
        AssertCertifiedEqualsFloat32(data, neighbours, chunkRows: 1000, maxExcusedFraction: 1);
    }

    /// <summary>A bank with no more rows than the candidates: the float32 search answers directly.</summary>
    [TestCase(1)]
    [TestCase(3)]
    public void BankSmallerThanTheCandidates_EqualsFloat32(int neighbours)
    {
        var data = NearTieData.Gaussian(rows: 6, queries: 20, dim: 16, seed: 5);
        var searchedAgain = AssertCertifiedEqualsFloat32(data, neighbours, chunkRows: null, maxExcusedFraction: 0);
        Assert.That(searchedAgain, Is.Zero);
    }

    /// <summary>
    /// Certified bfloat16 against the float32 search on data built to defeat bfloat16 ranking:
    /// uniform features, whose distances crowd together so the bound proves almost nothing (the
    /// float32 fallback must take over), and near-duplicate bank rows a bfloat16 step apart, where
    /// the bfloat16 order is wrong. Gaussian features show the certified path itself agreeing.
    /// </summary>
    [TestCase("uniform", 1, true)]
    [TestCase("uniform", 3, true)]
    [TestCase("uniform", 3, false)]
    [TestCase("near-duplicates", 1, true)]
    [TestCase("near-duplicates", 2, true)]
    [TestCase("near-duplicates", 2, false)]
    [TestCase("gaussian", 1, true)]
    [TestCase("gaussian", 4, true)]
    public void CertifiedBFloat16_EqualsFloat32Search(string data, int neighbours, bool cpuKernels)
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
        using var certified = new ExactNearestNeighbourSearch(bank, null, 700, SearchPrecision.CertifiedBFloat16, ExactNearestNeighbourSearch.DefaultRerankCandidates, cpuKernels);
        using var expected = exact.Search(queries, neighbours);
        using var actual = certified.Search(queries, neighbours);
        Assert.That(actual.Indices.ToArray<long>(), Is.EqualTo(expected.Indices.ToArray<long>()));
        var scale = (queries * queries).Sum(1).Max().Item() + (bankRows * bankRows).Sum(1).Max().Item();
        NumericAssert.Close(actual.SquaredDistances.ToArray<float>(), expected.SquaredDistances.ToArray<float>(), Tolerances.SquaredDistance(96),
            "squared distances", scale);
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

    /// <summary>
    /// Searches <paramref name="data"/> with both precisions and compares per query and rank: the
    /// same row, or (a float32 near tie, allowed for at most <paramref name="maxExcusedFraction"/> of
    /// the results) a row at the same true distance to within float32 rounding of |q|² + |b|²;
    /// distances equal to within that rounding. Returns the queries the certified search re-searched.
    /// <paramref name="cpuKernels"/>: the fused CPU kernels (where the CPU has them) or the
    /// device-generic tensor path.
    /// </summary>
    private static long AssertCertifiedEqualsFloat32(KnnData data, int neighbours, long? chunkRows, double maxExcusedFraction,
        long? memoryBudgetBytes = null, int rerankCandidates = ExactNearestNeighbourSearch.DefaultRerankCandidates, bool cpuKernels = true)
    {
        using var scope = new DisposeScope();
        using var bank = MemoryBank.FromFeatures(Tensor.FromArray(data.Bank, data.Rows, data.Dim), Device.Cpu);
        var queries = Tensor.FromArray(data.Queries, data.QueryCount, data.Dim);
        using var exact = new ExactNearestNeighbourSearch(bank, memoryBudgetBytes, chunkRows);
        using var certified = new ExactNearestNeighbourSearch(bank, memoryBudgetBytes, chunkRows, SearchPrecision.CertifiedBFloat16, rerankCandidates, cpuKernels);
        using var expected = exact.Search(queries, neighbours);
        using var actual = certified.Search(queries, neighbours);
        var (expectedRows, actualRows) = (expected.Indices.ToArray<long>(), actual.Indices.ToArray<long>());
        var (expectedDistances, actualDistances) = (expected.SquaredDistances.ToArray<float>(), actual.SquaredDistances.ToArray<float>());
        var (excused, error) = (0, 0.0);
        var tolerance = Tolerances.SquaredDistance(data.Dim);
        for (var q = 0; q < data.QueryCount; q++)
        {
            Assert.That(actualRows.Skip(q * neighbours).Take(neighbours).Distinct().Count(), Is.EqualTo(neighbours), $"query {q}: distinct rows");
            for (var r = 0; r < neighbours; r++)
            {
                var i = q * neighbours + r;
                var scale = data.Scale(q, expectedRows[i]);
                error = Math.Max(error, Math.Abs(actualDistances[i] - expectedDistances[i]) / scale);
                if (actualRows[i] == expectedRows[i]) continue;
                excused++;
                Assert.That(data.Distance(q, actualRows[i]), Is.EqualTo(data.Distance(q, expectedRows[i])).Within(tolerance * scale),
                    $"query {q} rank {r}: row {actualRows[i]} instead of {expectedRows[i]} is not a float32 near tie");
            }
        }
        NumericAssert.Within(error, tolerance, "squared distances");
        Assert.That(excused, Is.LessThanOrEqualTo(maxExcusedFraction * expectedRows.Length), "results that differ by a float32 near tie");
        return certified.QueriesSearchedAgain;
    }
}

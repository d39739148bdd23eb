using NUnit.Framework;
using Uniformaly.Research.Bank;
using Uniformaly.Research.Search;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Search;

/// <summary>--distance cosine is the exact L2 search on L2-normalised rows, halved: against numpy's
/// 1 − cos from tools/make_recipe_fixtures.py, in float32 and with the certified bfloat16 search (which
/// must return the float32 neighbours). The rows' norms differ widely, so L2 on the raw rows would
/// rank them otherwise.</summary>
[TestFixture]
public sealed class CosineDistanceTests
{
    [TestCase(SearchPrecision.Float32)]
    [TestCase(SearchPrecision.CertifiedBFloat16)]
    public void NormalisedL2Search_IsNumpysCosineDistance(SearchPrecision precision)
    {
        using var scope = new DisposeScope();
        var bankRows = PatchDistance.Cosine.Rows(DetectionFixtures.Load("cosine_bank"));
        var queries = PatchDistance.Cosine.Rows(DetectionFixtures.Load("cosine_queries"));
        using var bank = MemoryBank.FromFeatures(bankRows, Device.Cpu);
        using var search = new ExactNearestNeighbourSearch(bank, precision: precision);
        using var neighbours = search.Search(queries);
        var distances = PatchDistance.Cosine.Scores(neighbours.PatchScores());
        NumericAssert.Close(distances, DetectionFixtures.Load("cosine_distance"), Tolerances.CosineDistance(16), "1 - cos", scale: 2);
        var rows = neighbours.Indices.Flatten().ToArray<long>();
        var expected = DetectionFixtures.Load("cosine_index").ToArray<long>();
        var unambiguous = DetectionFixtures.Load("cosine_unambiguous").ToArray<bool>();
        Assert.That(unambiguous.Count(u => u), Is.GreaterThan(20), "most queries have one nearest row");
        for (var i = 0; i < expected.Length; i++)
            if (unambiguous[i]) Assert.That(rows[i], Is.EqualTo(expected[i]), $"query {i}");
        using var l2 = new ExactNearestNeighbourSearch(MemoryBank.FromFeatures(DetectionFixtures.Load("cosine_bank"), Device.Cpu));
        Assert.That(l2.Search(DetectionFixtures.Load("cosine_queries")).Indices.Flatten().ToArray<long>(), Is.Not.EqualTo(expected),
            "the fixture tells cosine from L2");
    }

    [Test]
    public void L2_LeavesRowsAndScoresAsTheyAre()
    {
        using var rows = DetectionFixtures.Load("cosine_bank");
        using var same = PatchDistance.L2.Rows(rows);
        Assert.That(same.ToArray<float>(), Is.EqualTo(rows.ToArray<float>()));
        using var scores = PatchDistance.L2.Scores(rows);
        Assert.That(scores.ToArray<float>(), Is.EqualTo(rows.ToArray<float>()));
    }

    [Test]
    public void ZeroRows_StayZero_AsFaissLeavesThem()
    {
        using var rows = Tensor.FromArray(new float[] { 0, 0, 3, 4 }, 2, 2);
        using var normalised = PatchDistance.Cosine.Rows(rows);
        Assert.That(normalised.ToArray<float>(), Is.EqualTo(new[] { 0f, 0f, 0.6f, 0.8f }).Within(1e-7));
    }
}

using NUnit.Framework;
using Uniformaly.Research.Search;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Search;

/// <summary>
/// <see cref="BFloat16Ranking.LowerBoundOfExcluded"/> term by term on hand-made numbers: the bound is
/// the derivation in BFloat16Ranking's doc comment, so dropping or shrinking any of its error terms
/// (which only worst-case data could expose, see CertifiedSearchTests for the ones data can) fails here.
/// </summary>
public sealed class BFloat16RankingTests
{
    private const double U = 1.0 / 256, Epsilon = 1.0 / (1 << 24), Tiny = 1.1754943508222875e-38;

    [TestCase(true, -10.0)]
    [TestCase(false, -10.0)]
    [TestCase(true, 3.5)]
    public void LowerBoundOfExcluded_IsTheDerivedBound(bool fused, double threshold)
    {
        using var scope = new DisposeScope();
        // Rows (3, 4) and (1 + 2⁻¹⁰, 0): B̃ = 5, and the second rounds to (1, 0), 2⁻¹⁰ away.
        var bank = Tensor.FromArray([3f, 4f, 1f + 1f / 1024, 0f], 2, 2);
        using var ranking = new BFloat16Ranking(bank, fused);
        const double normSquared = 20, roundingSquared = 1.0 / (1 << 20), d = 2;
        var candidates = new RankedCandidates(Tensor.FromArray([0L], 1, 1), Tensor.FromArray([(float)threshold]),
            Tensor.FromArray([normSquared, roundingSquared], 1, 2));

        var actual = ranking.LowerBoundOfExcluded(candidates).ToArray<double>()[0];

        var (b, q) = (5 * (1 + 1e-12), Math.Sqrt(normSquared * (1 - 1e-12)));
        var gamma = 2 * (d + 2) * Epsilon / (1 - 2 * (d + 2) * Epsilon);
        var accumulation = gamma * (2 * q * b + (1 + 2 * U) * b * b) + (2 * q + 2 * b + 1) * (d + 3) * Tiny;
        var split = ((U + 2 * Epsilon) * (U + 2 * Epsilon) + 1e-12) * b * b;
        var outputRounding = ranking.Fused ? 0 : U;
        var rounded = normSquared * (1 - 1e-12) + threshold - Math.Abs(threshold) * outputRounding - Tiny - accumulation - split;
        var distance = Math.Sqrt(rounded) - Math.Sqrt(roundingSquared) * (1 + 1e-12) - 1.0 / 1024 * (1 + 1e-12);
        Assert.That(actual, Is.EqualTo(distance * distance).Within(1e-12).Percent);
        Assert.That(ranking.Fused, Is.EqualTo(fused && Tensor.BFloat16RankingAvailable));
    }

    /// <summary>A query is proven only when the bound exceeds its n_nn-th measured distance inflated
    /// by the float32 summation error (D + 3)ε/(1 − (D + 3)ε), plus D flushed subnormals.</summary>
    [Test]
    public void Unproven_AllowsForTheMeasuredDistancesRounding()
    {
        using var scope = new DisposeScope();
        const long dim = 100;
        const float kept = 50f;
        var gamma = (dim + 3) * Epsilon / (1 - (dim + 3) * Epsilon);
        var highest = kept / (1 - gamma) + dim * 1.2e-38;
        var bounds = Tensor.FromArray([highest * (1 - 1e-12), highest * (1 + 1e-12), double.NaN, kept * (1 + gamma / 2)]);
        var unproven = ExactNearestNeighbourSearch.Unproven(bounds, Tensor.Full([4], kept, DType.Float32), dim);
        Assert.That(unproven.ToArray<long>(), Is.EqualTo(new long[] { 0, 2, 3 }));
    }

    [Test]
    public void LowerBoundOfExcluded_InfiniteThreshold_ProvesNothing()
    {
        using var scope = new DisposeScope();
        using var ranking = new BFloat16Ranking(Tensor.FromArray([1f, 2f], 1, 2));
        var candidates = new RankedCandidates(Tensor.FromArray([0L], 1, 1), Tensor.FromArray([float.PositiveInfinity]),
            Tensor.FromArray([5.0, 0.0], 1, 2));
        Assert.That(ranking.LowerBoundOfExcluded(candidates).ToArray<double>()[0], Is.NaN);
    }
}

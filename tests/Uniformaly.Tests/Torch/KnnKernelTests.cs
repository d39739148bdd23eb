using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>
/// The CPU kernels of the certified search (native/src/ops_knn.cpp) against float64 references:
/// the fused bfloat16 ranking keeps, per query, rows whose values are the float32 accumulations of
/// the augmented dot products and leaves out only rows at least as large as the largest it keeps;
/// the candidate measurement orders rows by their float32 distance, ties to the lower row.
/// </summary>
public sealed class KnnKernelTests
{
    private const double Epsilon = 1.0 / (1 << 24);

    /// <summary>Uneven shapes on purpose: bank rows not a multiple of the 32-row panel, queries not a
    /// multiple of the 14-query tile, odd and even augmented widths, k from 1 to beyond the old fused
    /// limit, and one or two workers whose selections are merged (each worker starts on a block of
    /// its own, so with two threads and two blocks or more the merge always matters).</summary>
    [TestCase(1000, 45, 37, 16, 2)]
    [TestCase(1000, 45, 38, 16, 1)]
    [TestCase(300, 14, 96, 1, 2)]
    [TestCase(2500, 3, 8, 70, 2)]
    [TestCase(33, 29, 5, 32, 2)]
    public void BFloat16RankingSmallest_KeepsTheSmallestAccumulations(int rows, int queries, int dim, int k, int threads)
    {
        Assume.That(Tensor.BFloat16RankingAvailable, "this CPU has no AVX512-BF16: the fused ranking does not run here");
        using var scope = new DisposeScope();
        var saved = TorchRuntime.NumThreads;
        try
        {
            TorchRuntime.NumThreads = threads;
            TorchRuntime.ManualSeed((ulong)(rows + dim));
            var bank = Tensor.Randn([rows, dim]) * 3;
            var q = Tensor.Randn([queries, dim]) * 3;
            var (augmented, augmentedQueries) = Augment(bank, q);
            var panels = Tensor.BFloat16RankingPanels(augmented);
            var (values, kept, rounding) = Tensor.BFloat16RankingSmallest(panels, rows, q, k);

            var exact = augmentedQueries.Mm(augmented.To(DType.Float64).Transpose(0, 1)).ToArray<double>();
            var magnitude = augmentedQueries.Abs().Mm(augmented.To(DType.Float64).Abs().Transpose(0, 1)).ToArray<double>();
            var gamma = 2 * (dim + 2) * Epsilon;
            var (v, r) = (values.ToArray<float>(), kept.ToArray<long>());
            for (var i = 0; i < queries; i++)
            {
                var keptRows = r.Skip(i * k).Take(k).ToArray();
                Assert.That(keptRows.Distinct().Count(), Is.EqualTo(k), $"query {i}: distinct rows");
                Assert.That(v.Skip(i * k).Take(k), Is.Ordered, $"query {i}: ascending");
                var threshold = v[i * k + k - 1];
                for (var j = 0; j < k; j++)
                {
                    var cell = i * rows + keptRows[j];
                    Assert.That(v[i * k + j], Is.EqualTo(exact[cell]).Within(gamma * magnitude[cell] + 1e-30), $"query {i} row {keptRows[j]}: value");
                }
                var keptSet = keptRows.ToHashSet();
                var below = Enumerable.Range(0, rows).Where(row => !keptSet.Contains(row))
                    .Where(row => exact[i * rows + row] + gamma * magnitude[i * rows + row] < threshold);
                Assert.That(below, Is.Empty, $"query {i}: rows left out below the threshold {threshold}");
            }
            AssertRounding(q, rounding);
        }
        finally
        {
            TorchRuntime.NumThreads = saved;
        }
    }

    [Test]
    public void BFloat16RankingSmallest_MismatchedPanels_RaiseTorchExceptions()
    {
        Assume.That(Tensor.BFloat16RankingAvailable, "this CPU has no AVX512-BF16: the fused ranking does not run here");
        using var scope = new DisposeScope();
        var (augmented, _) = Augment(Tensor.Randn([40, 6]), Tensor.Randn([1, 6]));
        var panels = Tensor.BFloat16RankingPanels(augmented);
        Assert.That(() => Tensor.BFloat16RankingSmallest(panels, 40, Tensor.Randn([3, 8]), 4),
            Throws.TypeOf<TorchException>().With.Message.Contains("do not hold"));
        Assert.That(() => Tensor.BFloat16RankingSmallest(panels, 80, Tensor.Randn([3, 6]), 4),
            Throws.TypeOf<TorchException>().With.Message.Contains("do not hold"));
        Assert.That(() => Tensor.BFloat16RankingSmallest(panels, 40, Tensor.Randn([3, 6]).To(DType.Float64), 4),
            Throws.TypeOf<TorchException>().With.Message.Contains("float32"));
        Assert.That(() => Tensor.BFloat16RankingPanels(Tensor.Randn([4, 4])),
            Throws.TypeOf<TorchException>().With.Message.Contains("bfloat16"));
    }

    /// <summary>Distances within float32 summation error of the float64 ones, candidates ordered
    /// by distance; identical rows tie and go to the lower row; −1 (none) and NaN rows come last.</summary>
    [Test]
    public void NearestCandidates_OrdersByFloat32Distance_TiesToTheLowerRow()
    {
        using var scope = new DisposeScope();
        TorchRuntime.ManualSeed(11);
        const int dim = 70, queries = 9;
        var bankValues = Tensor.Randn([50, dim]).ToArray<float>();
        Array.Copy(bankValues, 5 * dim, bankValues, 9 * dim, dim); // rows 5 and 9 are identical
        bankValues[12 * dim + 3] = float.NaN;
        var bank = Tensor.FromArray(bankValues, 50, dim);
        var q = Tensor.Randn([queries, dim]);
        var candidates = new long[queries * 6];
        var random = new Random(4);
        for (var i = 0; i < candidates.Length; i++) candidates[i] = random.Next(50);
        long[] special = [9, 5, -1, 12, 30, 5 + 40];
        Array.Copy(special, 0, candidates, 0, 6);
        var (distances, rows) = Tensor.NearestCandidates(bank, q, Tensor.FromArray(candidates, queries, 6), 6);

        var (d, r, qv) = (distances.ToArray<float>(), rows.ToArray<long>(), q.ToArray<float>());
        for (var i = 0; i < queries; i++)
        {
            var expected = candidates.Skip(i * 6).Take(6)
                .Select(row => (Distance: row < 0 ? double.PositiveInfinity : Distance(qv, i, bankValues, row, dim), Row: row))
                .OrderBy(c => double.IsNaN(c.Distance) ? 1 : 0).ThenBy(c => c.Distance).ThenBy(c => c.Row).ToArray();
            for (var j = 0; j < 6; j++)
            {
                Assert.That(r[i * 6 + j], Is.EqualTo(expected[j].Row), $"query {i} rank {j}: row");
                if (double.IsNaN(expected[j].Distance)) Assert.That(d[i * 6 + j], Is.NaN);
                else Assert.That(d[i * 6 + j], Is.EqualTo(expected[j].Distance).Within((dim + 3) * Epsilon * expected[j].Distance));
            }
        }
        var first = r.Take(6).ToList();
        Assert.That(first.IndexOf(9), Is.EqualTo(first.IndexOf(5) + 1), "identical rows: the lower first");
        Assert.That(first.Skip(4), Is.EqualTo(new long[] { -1, 12 }), "no candidate, then NaN, last");
    }

    [Test]
    public void NearestCandidates_RowOutsideTheBank_RaisesATorchException()
    {
        using var scope = new DisposeScope();
        Assert.That(() => Tensor.NearestCandidates(Tensor.Zeros([4, 3]), Tensor.Zeros([2, 3]), Tensor.FromArray(new long[] { 0, 4 }, 2, 1), 1),
            Throws.TypeOf<TorchException>().With.Message.Contains("outside the bank"));
    }

    /// <summary>The augmented bank [b̃, hi, lo] as BFloat16Ranking builds it, and the augmented
    /// queries [−2q̃, 1, 1] in float64.</summary>
    private static (Tensor Bank, Tensor Queries) Augment(Tensor bank, Tensor q)
    {
        var rounded = bank.To(DType.BFloat16);
        var norms = (rounded.To(DType.Float64) * rounded.To(DType.Float64)).Sum(1, keepDim: true);
        var hi = norms.To(DType.BFloat16);
        var lo = (norms - hi.To(DType.Float64)).To(DType.BFloat16);
        var queries = Tensor.Cat([q.To(DType.BFloat16).To(DType.Float64) * -2.0, Tensor.Ones([q.Size(0), 2], DType.Float64)], 1);
        return (Tensor.Cat([rounded, hi, lo], 1), queries);
    }

    private static void AssertRounding(Tensor q, Tensor rounding)
    {
        var exact = q.To(DType.Float64);
        var rounded = q.To(DType.BFloat16).To(DType.Float64);
        var error = exact - rounded;
        var (norms, errors, actual) = ((rounded * rounded).Sum(1).ToArray<double>(), (error * error).Sum(1).ToArray<double>(), rounding.ToArray<double>());
        for (var i = 0; i < norms.Length; i++)
        {
            Assert.That(actual[2 * i], Is.EqualTo(norms[i]).Within(1e-13 * norms[i]), $"query {i}: |q̃|²");
            Assert.That(actual[2 * i + 1], Is.EqualTo(errors[i]).Within(1e-13 * errors[i]), $"query {i}: |q − q̃|²");
        }
    }

    private static double Distance(float[] q, int query, float[] bank, long row, int dim)
    {
        double sum = 0;
        for (var i = 0; i < dim; i++)
        {
            var diff = (double)q[query * dim + i] - bank[row * dim + i];
            sum += diff * diff;
        }
        return sum;
    }
}

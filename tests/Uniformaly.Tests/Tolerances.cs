using Uniformaly.Research.Scoring;

namespace Uniformaly.Tests;

/// <summary>
/// Every numerical tolerance of the test suite, each stated once with the reason for its size
/// (docs/testing.md has the policy and the errors measured with several BLAS kernels).
/// </summary>
/// <remarks>
/// <para><b>What a tolerance must do.</b> A test compares our result with a reference computed
/// elsewhere (PyTorch, faiss, scipy, sklearn, in committed fixtures) by other kernels: another BLAS
/// or another of its kernels (OpenBLAS picks Haswell, SkylakeX, Cooperlake... kernels by CPU or by
/// OPENBLAS_CORETYPE; MKL; cuBLAS), another summation order, float64 where the reference used it.
/// Correct computations then differ by rounding alone, so each tolerance bounds the rounding of
/// the computation under test: every correct implementation passes, and a wrong formula, whose
/// error is a property of the math and not of the last bits, fails.</para>
/// <para><b>The rounding model.</b> With unit roundoff u (2^-24 for float32, 2^-53 for float64), a
/// sum or dot product of K terms, computed in any order, is within K u of its exact value relative
/// to the magnitude of its terms (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed.,
/// section 3.1). That worst case has every rounding push the same way; rounding errors of both
/// signs cancel, and the error of a K-term sum grows like sqrt(K) u (Higham and Mary, SIAM J. Sci.
/// Comput. 41(5), 2019). A computation of S such stages one after another adds S independent
/// errors, sqrt(S) times one stage's. So two correct implementations agree to about
/// u sqrt(K S) relative to the magnitude of the values involved, and a tolerance here is
/// <code>Safety * u * sqrt(K * S)</code>
/// with K the longest reduction and S the number of reductions in sequence on the way to the
/// compared value (<see cref="Float32"/>, <see cref="Float64"/>). Errors are measured relative to
/// the magnitude of the compared values (<see cref="NumericAssert"/>), not per element, because
/// rounding is proportional to the size of the operands, not of each result.</para>
/// <para><b>Metrics of rounded values.</b> AUROC, AP, F1-max and AUPRO are step functions of the
/// scores: rounding moves them only where two values (or a value and a threshold) lie within
/// rounding of each other. <see cref="RocAuc"/> bounds that exactly from the reference's values;
/// for the command-line fixtures tools/make_run_fixtures.py records each metric's bound
/// (<see cref="Metric"/>).</para>
/// <para>Where rounding cannot reach (integer counts, bytes, indices, a mask from a threshold the
/// values are far from), tests compare exactly, and they say why.</para>
/// </remarks>
public static class Tolerances
{
    /// <summary>u for float32: 2^-24 = 5.96e-8.</summary>
    public const double Float32Roundoff = 1.0 / (1 << 24);

    /// <summary>u for float64: 2^-53 = 1.11e-16.</summary>
    public const double Float64Roundoff = 1.0 / (1L << 53);

    /// <summary>
    /// The factor over the typical error u sqrt(K S): the largest of N compared values lies about
    /// sqrt(2 ln N) standard deviations out, 4.3 for N = 10^4 (the size of a ViT fixture's
    /// tensors). Measured errors stay below a quarter of the tolerances on every BLAS tried
    /// (docs/testing.md).
    /// </summary>
    public const double Safety = 4;

    /// <summary>Rounding of a float32 computation whose longest reduction has
    /// <paramref name="reduction"/> terms, with <paramref name="stages"/> reductions in sequence.</summary>
    public static double Float32(int reduction, int stages = 1) => Safety * Float32Roundoff * Math.Sqrt((double)reduction * stages);

    /// <summary>The same for float64.</summary>
    public static double Float64(int reduction, int stages = 1) => Safety * Float64Roundoff * Math.Sqrt((double)reduction * stages);

    // ---- tensor operations --------------------------------------------------------------------

    /// <summary>
    /// Operations on a handful of hand-computed values (the Torch tests): reductions of at most 9
    /// terms (a 3 x 3 average), up to 4 rounded steps (LayerNorm: mean, variance, rsqrt, affine),
    /// libm's exp, log, erf and tanh within an ulp or two, expected values written as 8-digit
    /// literals (within u): 4 u sqrt(9 x 4) = 1.4e-6 of the largest value.
    /// </summary>
    public static readonly double SmallOp = Float32(9, 4);

    // ---- the backbone -------------------------------------------------------------------------

    /// <summary>
    /// The ViT forward (blocks, attentions, the interpolated pos_embed) and what is computed from
    /// it (patch features, CLS attention, BPM of our attention), against DINO's model in PyTorch.
    /// The longest reduction is model A's patch embedding, 3 x 16 x 16 = 768 terms (its MLP's is
    /// 4 x 128 = 512); a block has 11 reductions in sequence (LayerNorm mean and variance, qkv,
    /// q.k, softmax, attention x v, proj, LayerNorm mean and variance, fc1, fc2), so the fourth
    /// block's output is the 1 + 4 x 11 = 45th: 4 u sqrt(768 x 45) = 4.4e-5. cuBLAS and cuDNN in
    /// float32 are more kernels of the same arithmetic; TF32 is not float32 (10-bit products) and
    /// moves model A's outputs by 5e-4 to 1e-3, so the CUDA test fails where cuDNN uses TF32.
    /// It must catch: erf GELU replaced by the tanh approximation (3.3e-4 to 4.2e-4, 7.5 to 9.4
    /// tolerances) and the pos_embed interpolated without DINO's +0.1 offset (0.10 to 0.25).
    /// LayerNorm eps 1e-5 instead of 1e-6 changes model A's outputs by only 4e-6 to 1.7e-5, which
    /// rounding on another BLAS can approach: Models/ToleranceTests.cs catches it where eps matters.
    /// The same bound covers the tiny DINOv2 and DINOv3 models against their official code
    /// (Models/OfficialDinov2Dinov3Tests.cs): their longest reduction is DINOv3's patch embedding
    /// (768 terms; DINOv2's is 3 x 14 x 14 = 588, attention at most 261 keys, the FFN at most 256
    /// inputs), and at depth 2 a block output is at most the 1 + 2 x 11 = 23rd reduction in sequence
    /// (LayerScale, SiLU and RoPE add single roundings, the pos_embed resize at most 9 taps per axis).
    /// Measured: 3.8e-7 (0.008 of it). DINOv2's pos_embed resized with the other variant's rule
    /// (offset and antialias swapped) is off by more than 100 times the bound (tested).
    /// </summary>
    public static readonly double Vit = Float32(768, 1 + 4 * 11);

    // ---- detection ----------------------------------------------------------------------------

    /// <summary>BPM smoothing of a given attention map: an n x n average (n ≤ 7: 49 terms), then the
    /// division by the image's maximum.</summary>
    public static readonly double BackPatchSmoothing = Float32(49, 2);

    /// <summary>A squared distance |q|² − 2 q·b + |b|² over <paramref name="dim"/> features: the
    /// norms and the dot product, then their sum, relative to |q|² + |b|² (the magnitude it is
    /// computed from, which rounding scales with even where the distance cancels to near 0).</summary>
    public static double SquaredDistance(int dim) => Float32(dim, 2);

    /// <summary>A masked patch score: one rounded product of a score and a weight.</summary>
    public static readonly double Product = Float32(1);

    /// <summary>An image score or clustering feature: the mean of at most the 196 patches of a
    /// 14 x 14 grid (the All selector).</summary>
    public static readonly double TopKMean = Float32(196);

    /// <summary>scipy's gaussian_filter (sigma 4: 33 taps) in two separable passes, against scipy's
    /// float64 result.</summary>
    public static readonly double GaussianBlur = Float32(33, 2);

    /// <summary>Bilinear upsampling (4 taps) and the two Gaussian passes.</summary>
    public static readonly double AnomalyMap = Float32(33, 3);

    /// <summary>The Gaussian kernel in float64: 33 exponentials and their sum.</summary>
    public static readonly double GaussianKernel = Float64(33);

    /// <summary>The detector on the reference's embeddings: squared distances over D = 128
    /// features (2 stages), the mean of the nearest, the map's upsampling and two Gaussian passes:
    /// 4 u sqrt(128 x 5), relative to the distance scale max |q|² + max |b|².</summary>
    public static readonly double Detector = Float32(128, 5);

    /// <summary>The whole pipeline from image files (parity and command-line runs with the tiny
    /// 3-block ViT, patch 16): the ViT's 1 + 3 x 11 stages of at most 768 terms, then the
    /// detector's 5, relative to the distance scale: 4 u sqrt(768 x 39) = 4.1e-5.</summary>
    public static readonly double Pipeline = Float32(768, 1 + 3 * 11 + 5);

    /// <summary>PCA scores computed in float64 from float32 features, against scikit-learn's float64
    /// scores: the power iteration stops 1e-12 from the component (far below), so what differs is the
    /// rounding of both to float32 for comparison, relative to the largest score.</summary>
    public static readonly double PcaScores = Float32(2);

    /// <summary>The cosine distance on L2-normalised rows: the norm (D squares, its root, the division,
    /// 3 stages), then the squared distance (2 stages) and the halving, relative to |q̂|² + |b̂|² = 2.</summary>
    public static double CosineDistance(int dim) => Float32(dim, 6);

    /// <summary>A detector's image score with the cosine distance: <see cref="CosineDistance"/>, the
    /// product with the mask and the top k-ratio mean, relative to 2.</summary>
    public static double CosineImageScore(int dim, int patches) => Float32(Math.Max(dim, patches), 8);

    // ---- images -------------------------------------------------------------------------------

    /// <summary>A bilinear rotation computed in float64 and rounded to float32, against scipy's float64
    /// result rounded alike: two roundings, relative to the largest value.</summary>
    public static readonly double Rotation = Float32(2);

    /// <summary>ToTensor and Normalize: x / 255, minus the mean, over the std, three rounded steps.</summary>
    public static readonly double Normalization = Float32(1, 3);

    // ---- metrics ------------------------------------------------------------------------------

    /// <summary>A metric computed in float64 from the same inputs as sklearn or scipy, over
    /// <paramref name="count"/> values: sums of that many terms, then their combination.</summary>
    public static double Float64Metric(int count) => Float64(count, 2);

    /// <summary>
    /// The largest AUROC change when every value may be off the reference's by
    /// <paramref name="valueError"/>: only a positive and a negative within 2 x valueError of each
    /// other can change order, each swap moving the AUROC by 1 / (P N). Counted from the
    /// reference's values, plus float64 rounding.
    /// </summary>
    public static double RocAuc(IReadOnlyList<float> expected, IReadOnlyList<byte> labels, double valueError)
    {
        var negatives = expected.Where((_, i) => labels[i] == 0).Order().ToArray();
        var positives = expected.Where((_, i) => labels[i] != 0).ToArray();
        long atRisk = 0;
        foreach (var p in positives)
            atRisk += CountAtMost(negatives, p + 2 * valueError) - CountBelow(negatives, p - 2 * valueError);
        return atRisk / ((double)positives.Length * negatives.Length) + Float64Metric(expected.Count);
    }

    /// <summary>
    /// A command-line run's metric against tools/make_run_fixtures.py's value, with the
    /// <paramref name="rounding"/> the tool recorded for values off by <see cref="Pipeline"/>: for
    /// AUROC the bound of <see cref="RocAuc"/>; for AP, F1-max and AUPRO, which have no such simple
    /// bound, twice the largest change over 16 random perturbations of every value by that much.
    /// Plus float64 rounding over <paramref name="count"/> values.
    /// </summary>
    public static double Metric(double rounding, int count) => rounding + Float64Metric(count);

    // ---- not rounding -------------------------------------------------------------------------

    /// <summary>Pca's power iteration stops when a step moves the unit eigenvector by less than
    /// 1e-12, so its axes are that converged, not exact (measured 4.9e-13 relative to the largest
    /// coordinate); deflation passes the first axis's error to the second. Ten times the stop rule.</summary>
    public const double Pca = 1e-11;

    /// <summary>A figure recomputed from a command's printed (round-trip) numbers by the same few
    /// float64 operations.</summary>
    public static readonly double Recomputed = Float64(1, 4);

    /// <summary>SVG coordinates are written with one decimal (F1): half of 0.1.</summary>
    public const double SvgCoordinate = 0.05;

    /// <summary>A number up to 100 printed with <paramref name="decimals"/> decimals: half of its
    /// last digit, plus float64 rounding of the value it was rounded from.</summary>
    public static double Printed(int decimals) => 0.5 * Math.Pow(10, -decimals) + 100 * Float64(1, 4);

    /// <summary>The mean of <paramref name="count"/> seeded draws from a distribution with standard
    /// deviation <paramref name="sd"/>: five standard errors (a correct generator lands outside
    /// with probability 6e-7; a wrong distribution misses by far more).</summary>
    public static double SampleMean(double sd, int count) => 5 * sd / Math.Sqrt(count);

    private static int CountBelow(float[] sorted, double value)
    {
        var (lo, hi) = (0, sorted.Length);
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] < value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static int CountAtMost(float[] sorted, double value)
    {
        var (lo, hi) = (0, sorted.Length);
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (sorted[mid] <= value) lo = mid + 1; else hi = mid;
        }
        return lo;
    }
}

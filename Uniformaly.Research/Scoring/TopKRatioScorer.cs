using Uniformaly.Research.Masking;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Scoring;

/// <summary>Which patches make an image's score (docs/method.md section 8).</summary>
public enum PatchSelector
{
    /// <summary>The K = max(1, round(k·N)) highest-scoring patches.</summary>
    TopK,

    /// <summary>The single highest patch (K = 1).</summary>
    Max,

    /// <summary>Every patch.</summary>
    All,
}

/// <summary>Image scores and the patches they came from.</summary>
/// <param name="Scores">[B] float32 image scores s*.</param>
/// <param name="PatchIndices">[B, K] int64 positions of the chosen patches, highest score first
/// (for All: 0..N−1 in order); clustering averages the patch features there.</param>
public sealed record ImageScores(Tensor Scores, Tensor PatchIndices) : IDisposable
{
    /// <summary>Each image's clustering feature (docs/method.md section 8): the mean of its patch features
    /// at the chosen positions, [B, D] float32.</summary>
    /// <param name="patchFeatures">[B, N, D] patch features P of the same images.</param>
    public Tensor ClusteringFeatures(Tensor patchFeatures)
    {
        if (patchFeatures.Dim != 3 || patchFeatures.Size(0) != PatchIndices.Size(0))
            throw new ArgumentException($"patch features must be [{PatchIndices.Size(0)}, N, D], got {patchFeatures}", nameof(patchFeatures));
        using var scope = new DisposeScope();
        var positions = PatchIndices.To(patchFeatures.Device).Unsqueeze(2).Expand(PatchIndices.Size(0), PatchIndices.Size(1), patchFeatures.Size(2));
        var chosen = patchFeatures.To(DType.Float32).Gather(1, positions);
        return scope.MoveToOuter(chosen.Mean(1));
    }

    public void Dispose()
    {
        Scores.Dispose();
        PatchIndices.Dispose();
    }
}

/// <summary>Top k-ratio scoring: an image's score is the mean of its K largest masked patch scores.</summary>
public sealed class TopKRatioScorer
{
    /// <param name="k">The ratio k in (0, 1] (used by <see cref="PatchSelector.TopK"/>).</param>
    /// <param name="selector">TopK (the method), Max or All (ablations).</param>
    public TopKRatioScorer(double k, PatchSelector selector = PatchSelector.TopK)
    {
        K = k;
        Selector = selector;
    }

    /// <summary>The ratio k.</summary>
    public double K { get; }

    public PatchSelector Selector { get; }

    /// <summary>K = max(1, round(k·N)) with Python's round (half to even); 1 for Max, N for All.</summary>
    public long PatchCount(long patches) => Selector switch
    {
        PatchSelector.Max => 1,
        PatchSelector.All => patches,
        _ => Math.Max(1, (long)Math.Round(K * patches, MidpointRounding.ToEven)),
    };

    /// <summary>Scores a batch.</summary>
    /// <param name="maskedScores">[B, N] masked patch scores (see <see cref="BackPatchMasking"/>).</param>
    public ImageScores Score(Tensor maskedScores)
    {
        if (maskedScores.Dim != 2 || maskedScores.Size(1) < 1)
            throw new ArgumentException($"patch scores must be [B, N] with N >= 1, got {maskedScores}", nameof(maskedScores));
        using var scope = new DisposeScope();
        var (batch, patches) = (maskedScores.Size(0), maskedScores.Size(1));
        Tensor scores, indices;
        if (Selector == PatchSelector.All)
        {
            scores = maskedScores.Mean(1);
            indices = Tensor.Arange(0, patches, device: maskedScores.Device).Unsqueeze(0).Expand(batch, patches).Contiguous();
        }
        else
        {
            var (top, positions) = maskedScores.TopK(PatchCount(patches), dim: 1, largest: true, sorted: true);
            (scores, indices) = (top.Mean(1), positions);
        }
        return new ImageScores(scope.MoveToOuter(scores), scope.MoveToOuter(indices));
    }
}

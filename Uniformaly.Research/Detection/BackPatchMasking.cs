using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Detection;

/// <summary>How Back Patch Masking acts on patches (SPEC section 5).</summary>
public enum BackPatchMaskingMode
{
    /// <summary>Every patch is kept, nothing is multiplied.</summary>
    Off,

    /// <summary>M = attention &gt; λ: training keeps patches with M = 1, test scores of the others become 0.</summary>
    Binary,

    /// <summary>Training keeps patches with attention &gt; 0, test scores are multiplied by the attention.</summary>
    Soft,
}

/// <summary>Applies BPM given the normalized smoothed attention (each image's maximum is 1).</summary>
public static class BackPatchMasking
{
    /// <summary>λ, the paper's default threshold.</summary>
    public const double DefaultThreshold = 0.1;

    /// <summary>Masked patch scores [B, N] float32.</summary>
    /// <param name="scores">[B, N] patch scores.</param>
    /// <param name="attention">[B, N] normalized smoothed attention; unused (may be null) when <paramref name="mode"/> is Off.</param>
    /// <param name="mode">Off, Binary or Soft.</param>
    /// <param name="threshold">λ for Binary (strict: attention &gt; λ is kept).</param>
    public static Tensor ApplyToScores(Tensor scores, Tensor? attention, BackPatchMaskingMode mode, double threshold = DefaultThreshold)
    {
        if (mode == BackPatchMaskingMode.Off) return scores.Alias();
        CheckAttention(scores, attention);
        using var scope = new DisposeScope();
        var weights = mode == BackPatchMaskingMode.Binary ? (attention! > threshold).To(scores.DType) : attention!.To(scores.DType);
        return scope.MoveToOuter(scores * weights);
    }

    /// <summary>The patches training keeps: [B, N] bool (all true when Off).</summary>
    /// <param name="attention">[B, N] normalized smoothed attention.</param>
    /// <param name="mode">Off, Binary or Soft.</param>
    /// <param name="threshold">λ for Binary.</param>
    public static Tensor TrainingKeep(Tensor attention, BackPatchMaskingMode mode, double threshold = DefaultThreshold) => mode switch
    {
        BackPatchMaskingMode.Binary => attention > threshold,
        BackPatchMaskingMode.Soft => attention > 0,
        _ => attention.Ge(double.NegativeInfinity),
    };

    private static void CheckAttention(Tensor scores, Tensor? attention)
    {
        if (attention is null)
            throw new ArgumentNullException(nameof(attention), "back patch masking needs the normalized smoothed attention");
        if (!attention.Shape.SequenceEqual(scores.Shape))
            throw new ArgumentException($"attention {attention} must have the shape of the scores {scores}", nameof(attention));
    }
}

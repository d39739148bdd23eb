using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Masking;

/// <summary>How Back Patch Masking acts on patches (docs/method.md section 5).</summary>
public enum BackPatchMaskingMode
{
    /// <summary>Every patch is kept, nothing is multiplied.</summary>
    Off,

    /// <summary>M = attention &gt; λ: training keeps patches with M = 1, test scores of the others become 0.</summary>
    Binary,

    /// <summary>Training keeps patches with attention &gt; 0, test scores are multiplied by the attention.</summary>
    Soft,
}

/// <summary>
/// Back Patch Masking (docs/method.md section 5), all of it: the attention it works on (the CLS
/// attention on the [h, w] grid smoothed by AvgPool2d(n, stride 1, padding n/2,
/// count_include_pad=True), so zero padding damps the borders, then divided by the maximum of EACH
/// image's smoothed map: the release divides by the batch maximum, which makes masks depend on the
/// batch), its one mask rule M = attention &gt; λ, and what the mode does with them to training
/// patches and test scores. Built once from validated settings.
/// </summary>
/// <param name="mode">Off, Binary or Soft.</param>
/// <param name="kernel">n, odd; 1 leaves the attention as it is (before normalization).</param>
/// <param name="threshold">λ in [0, 1).</param>
public sealed class BackPatchMasking(BackPatchMaskingMode mode, int kernel, double threshold)
{
    public BackPatchMaskingMode Mode => mode;

    public int Kernel => kernel;

    public double Threshold => threshold;

    /// <summary>The attention the mode works on, [B, N]: <see cref="Smooth"/>, or ones when BPM is off.</summary>
    public Tensor Attention(Tensor clsAttention, int gridHeight, int gridWidth) => mode == BackPatchMaskingMode.Off
        ? Tensor.Ones([clsAttention.Size(0), clsAttention.Size(1)], device: clsAttention.Device)
        : Smooth(clsAttention, gridHeight, gridWidth);

    /// <summary>Normalized smoothed attention [B, N] (each image's maximum is 1) of
    /// <paramref name="clsAttention"/> [B, N = gridHeight * gridWidth], row-major over the grid.</summary>
    public Tensor Smooth(Tensor clsAttention, int gridHeight, int gridWidth)
    {
        if (clsAttention.Dim != 2 || clsAttention.Size(1) != (long)gridHeight * gridWidth)
            throw new ArgumentException($"CLS attention {clsAttention} must be [B, {gridHeight * gridWidth}] for a {gridHeight}x{gridWidth} grid");
        using var scope = new DisposeScope();
        var grid = clsAttention.Reshape(-1, 1, gridHeight, gridWidth);
        var smoothed = Functional.AvgPool2d(grid, kernel, 1, kernel / 2, countIncludePad: true).Flatten(1);
        var (max, _) = smoothed.Max(1, keepDim: true);
        return scope.MoveToOuter(smoothed / max);
    }

    /// <summary>The binary mask M = attention &gt; λ (strict), [B, N] bool: the one rule of binary BPM.</summary>
    public Tensor Mask(Tensor attention) => attention > threshold;

    /// <summary>The patches training keeps, [B, N] bool: M (binary), attention &gt; 0 (soft) or all (off).</summary>
    public Tensor Keep(Tensor attention) => mode switch
    {
        BackPatchMaskingMode.Binary => Mask(attention),
        BackPatchMaskingMode.Soft => attention > 0,
        _ => attention.Ge(double.NegativeInfinity),
    };

    /// <summary>How many of the patches of <paramref name="attention"/> [B, N] <see cref="Keep"/> leaves out: the
    /// training patches kept out of the bank, and the test patches whose scores <see cref="Apply"/> zeroes.</summary>
    public PatchCount Count(Tensor attention)
    {
        using var keep = Keep(attention);
        using var kept = keep.Sum();
        return new PatchCount(attention.NumEl, attention.NumEl - kept.ItemLong());
    }

    /// <summary>Masked test patch scores [B, N] float32: multiplied by M (binary), by the attention (soft), or as they are (off).</summary>
    /// <param name="scores">[B, N] patch scores.</param>
    /// <param name="attention">[B, N] from <see cref="Attention"/>.</param>
    public Tensor Apply(Tensor scores, Tensor attention)
    {
        if (!attention.Shape.SequenceEqual(scores.Shape))
            throw new ArgumentException($"attention {attention} must have the shape of the scores {scores}");
        if (mode == BackPatchMaskingMode.Off) return scores.Alias();
        using var scope = new DisposeScope();
        var weights = mode == BackPatchMaskingMode.Binary ? Mask(attention).To(scores.DType) : attention.To(scores.DType);
        return scope.MoveToOuter(scores * weights);
    }
}

using Uniformaly.Research.Detection;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Features;

/// <summary>
/// The attention map Back Patch Masking works with (SPEC section 5): the CLS attention on the
/// [h, w] grid smoothed by AvgPool2d(n, stride 1, padding n/2, count_include_pad=True), so zero
/// padding damps the borders, then divided by the maximum of EACH image's smoothed map (the
/// release divides by the batch maximum, which makes masks depend on the batch). Applying it
/// to scores and bank rows is <see cref="BackPatchMasking"/>'s job.
/// </summary>
public sealed class BackPatchAttention
{
    /// <summary>n = 7, the paper's default smoothing kernel.</summary>
    public const int DefaultKernel = 7;

    /// <exception cref="ArgumentOutOfRangeException">n is even or below 1, or lambda is outside [0, 1).</exception>
    public BackPatchAttention(int kernel = DefaultKernel, double threshold = BackPatchMasking.DefaultThreshold)
    {
        if (kernel < 1 || kernel % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(kernel), kernel, $"--kernel must be odd and >= 1 (the smoothing window is centred), got {kernel}");
        if (!(threshold is >= 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"--threshold (lambda) must be in [0, 1), got {threshold}");
        Kernel = kernel;
        Threshold = threshold;
    }

    /// <summary>n, odd; 1 leaves the attention as it is (before normalization).</summary>
    public int Kernel { get; }

    /// <summary>lambda in [0, 1).</summary>
    public double Threshold { get; }

    /// <summary>Normalized smoothed attention [B, N] (each image's maximum is 1) of
    /// <paramref name="clsAttention"/> [B, N = gridHeight * gridWidth], row-major over the grid.</summary>
    public Tensor Smooth(Tensor clsAttention, int gridHeight, int gridWidth)
    {
        if (clsAttention.Dim != 2 || clsAttention.Size(1) != (long)gridHeight * gridWidth)
            throw new ArgumentException($"CLS attention {clsAttention} must be [B, {gridHeight * gridWidth}] for a {gridHeight}x{gridWidth} grid", nameof(clsAttention));
        using var scope = new DisposeScope();
        var grid = clsAttention.Reshape(-1, 1, gridHeight, gridWidth);
        var smoothed = Functional.AvgPool2d(grid, Kernel, 1, Kernel / 2, countIncludePad: true).Flatten(1);
        var (max, _) = smoothed.Max(1, keepDim: true);
        return scope.MoveToOuter(smoothed / max);
    }

    /// <summary>The binary mask M = smoothed &gt; lambda (strict), [B, N] bool.</summary>
    public Tensor Mask(Tensor normalized) => normalized > Threshold;
}

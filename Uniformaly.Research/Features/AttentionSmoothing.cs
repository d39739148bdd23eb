using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Features;

/// <summary>
/// The front half of Back Patch Masking (SPEC section 5): the head-mean CLS attention of each
/// image, smoothed with g(n) = AvgPool2d(n, stride 1, padding n/2, count_include_pad) on its patch
/// grid, then divided by that image's own maximum (not the batch's, as the reference release
/// does, so masks do not depend on the batch size).
/// </summary>
public static class AttentionSmoothing
{
    /// <param name="attention">[B, N] head-mean CLS attention over the patches, N = h*w.</param>
    /// <param name="gridHeight">h, patches per column.</param>
    /// <param name="gridWidth">w, patches per row.</param>
    /// <param name="kernel">n: odd and at least 1; 1 leaves the attention as it is (up to the normalization).</param>
    /// <returns>[B, N] normalized smoothed attention; each image's maximum is 1.</returns>
    public static Tensor Normalize(Tensor attention, long gridHeight, long gridWidth, int kernel)
    {
        if (kernel < 1 || kernel % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "the BPM kernel size n must be odd and at least 1");
        if (attention.Dim != 2 || attention.Size(1) != gridHeight * gridWidth)
            throw new ArgumentException($"attention must be [B, {gridHeight}*{gridWidth}], got {attention}", nameof(attention));
        using var scope = new DisposeScope();
        var batch = attention.Size(0);
        var grid = attention.Reshape(batch, 1, gridHeight, gridWidth);
        var smoothed = Functional.AvgPool2d(grid, kernel, 1, kernel / 2, countIncludePad: true).Reshape(batch, gridHeight * gridWidth);
        var (maxima, _) = smoothed.Max(1, keepDim: true);
        return scope.MoveToOuter(smoothed / maxima);
    }
}

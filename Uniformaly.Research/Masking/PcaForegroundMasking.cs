using Uniformaly.Research.Common;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Masking;

/// <summary>
/// AnomalyDINO's foreground mask (docs/method.md section 5), per image from its own patch features
/// [N, D]: the scores on the first principal component (centred features, exact component by power
/// iteration in float64, signed as scikit-learn 1.2 signs them: the largest-magnitude score is
/// positive) above <see cref="Threshold"/>; when that keeps at most <see cref="CentreShare"/> of the
/// centre region (the grid without a <see cref="Border"/> margin on each side), the other side
/// (−score above the threshold) is taken instead. The mask is then dilated and closed with a 3 x 3
/// square, as OpenCV does by default (pixels outside the grid count as background for the dilation
/// and as foreground for the erosion of the closing).
/// </summary>
public static class PcaForegroundMasking
{
    /// <summary>The score a patch must exceed (AnomalyDINO's 10, for DINOv2's normalised last-layer features).</summary>
    public const double Threshold = 10;

    /// <summary>The margin of the grid outside the centre region, as a fraction of each side.</summary>
    public const double Border = 0.2;

    /// <summary>A mask keeping at most this fraction of the centre region is flipped to the other side.</summary>
    public const double CentreShare = 0.35;

    /// <summary>Side of the square structuring element of the dilation and the closing.</summary>
    public const int Kernel = 3;

    private const int MaxIterations = 2000;
    private const int CheckEvery = 10;
    private const double Converged = 1e-12;

    /// <summary>The foreground mask [B, N] bool of patch features [B, N = h * w, D] (row-major grid).</summary>
    public static Tensor Mask(Tensor features, int gridHeight, int gridWidth)
    {
        if (features.Dim != 3 || features.Size(1) != (long)gridHeight * gridWidth)
            throw new ArgumentException($"patch features {features} must be [B, {gridHeight * gridWidth}, D] for a {gridHeight}x{gridWidth} grid");
        using var scope = new DisposeScope();
        var scores = FirstComponentScores(features);
        var positive = scores > Threshold;
        var flip = CentreKept(positive, gridHeight, gridWidth) <= CentreShare * CentreCount(gridHeight, gridWidth);
        var side = Tensor.Where(flip.Unsqueeze(1), -scores > Threshold, positive);
        return scope.MoveToOuter(Close(Dilate(side, gridHeight, gridWidth), gridHeight, gridWidth));
    }

    /// <summary>Each image's patch scores on its first principal component, [B, N] float64, the
    /// largest-magnitude score of each image positive.</summary>
    public static Tensor FirstComponentScores(Tensor features)
    {
        using var scope = new DisposeScope();
        var x = features.To(DType.Float64);
        var centred = x - x.Mean(1, keepDim: true);
        var component = LeadingComponent(centred);
        var scores = centred.Bmm(component).Squeeze(2);
        var largest = scores.Abs().ArgMax(1, keepDim: true);
        var sign = scores.Gather(1, largest).Ge(0.0).To(DType.Float64) * 2 - 1;
        return scope.MoveToOuter(scores * sign);
    }

    /// <summary>The unit leading right singular vector [B, D, 1] of each centred [N, D] matrix, by power
    /// iteration on XᵀX from a fixed start (so the same features give the same component).</summary>
    private static Tensor LeadingComponent(Tensor centred)
    {
        var (batch, dim) = (centred.Size(0), centred.Size(2));
        var random = new SplitMix64(0x5043_4131);
        var start = Enumerable.Range(0, (int)dim).Select(_ => random.NextDouble() - 0.5).ToArray();
        var v = Unit(Tensor.FromArray(start, 1, dim, 1).To(centred.Device).Expand(batch, dim, 1).Contiguous());
        var transposed = centred.Transpose(1, 2);
        for (var iteration = 1; iteration <= MaxIterations; iteration++)
        {
            bool done;
            Tensor next;
            using (var step = new DisposeScope())
            {
                next = step.MoveToOuter(Unit(transposed.Bmm(centred.Bmm(v))));
                done = iteration % CheckEvery == 0 && (next - v).Abs().Max().Item() < Converged;
            }
            v.Dispose();
            v = next;
            if (done) break;
        }
        return v;
    }

    private static Tensor Unit(Tensor v) => v / (v * v).Sum(1, keepDim: true).Sqrt().Clamp(min: 1e-300);

    /// <summary>Patches kept in each image's centre region, [B] float64.</summary>
    private static Tensor CentreKept(Tensor mask, int h, int w)
    {
        var (top, bottom, left, right) = CentreRegion(h, w);
        return mask.Reshape(-1, h, w).Narrow(1, top, bottom - top).Narrow(2, left, right - left).To(DType.Float64).Sum([1, 2]);
    }

    private static double CentreCount(int h, int w)
    {
        var (top, bottom, left, right) = CentreRegion(h, w);
        return (double)Math.Max(0, bottom - top) * Math.Max(0, right - left);
    }

    /// <summary>Rows [top, bottom) and columns [left, right) of the centre region, truncated as Python's int() does.</summary>
    private static (int Top, int Bottom, int Left, int Right) CentreRegion(int h, int w) =>
        ((int)(h * Border), (int)(h * (1 - Border)), (int)(w * Border), (int)(w * (1 - Border)));

    /// <summary>3 x 3 dilation: a patch is kept when any in-grid neighbour is.</summary>
    private static Tensor Dilate(Tensor mask, int h, int w) => Neighbourhood(mask, h, w) > 0.0;

    /// <summary>Closing: dilation, then a 3 x 3 erosion in which neighbours outside the grid do not count.</summary>
    private static Tensor Close(Tensor mask, int h, int w) => Neighbourhood(Dilate(mask, h, w), h, w) >= 1.0;

    /// <summary>The share of kept patches among each patch's in-grid 3 x 3 neighbours, [B, N].</summary>
    private static Tensor Neighbourhood(Tensor mask, int h, int w)
    {
        using var scope = new DisposeScope();
        var grid = mask.To(DType.Float32).Reshape(-1, 1, h, w);
        return scope.MoveToOuter(Functional.AvgPool2d(grid, Kernel, 1, Kernel / 2, countIncludePad: false).Flatten(1));
    }
}

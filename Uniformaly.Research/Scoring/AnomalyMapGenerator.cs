using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Scoring;

/// <summary>
/// Localization maps (docs/method.md section 9): masked patch scores on the h×w grid, bilinearly upsampled
/// (align_corners = False) to the image size, then blurred like scipy's gaussian_filter (σ = 4,
/// truncate 4, mode 'reflect').
/// </summary>
public sealed class AnomalyMapGenerator
{
    public const double DefaultSigma = 4.0;

    /// <param name="height">Image height in pixels (imagesize).</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="sigma">Gaussian standard deviation in pixels.</param>
    /// <param name="truncate">Kernel radius in standard deviations (scipy's truncate).</param>
    public AnomalyMapGenerator(long height, long width, double sigma = DefaultSigma, double truncate = 4.0)
    {
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, "must be at least 1");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "must be at least 1");
        if (!(sigma > 0)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be positive");
        (Height, Width, Sigma, Truncate) = (height, width, sigma, truncate);
    }

    public long Height { get; }

    public long Width { get; }

    public double Sigma { get; }

    public double Truncate { get; }

    /// <summary>Maps [B, Height, Width] float32 from masked patch scores [B, h·w] in row-major grid order.</summary>
    public Tensor Generate(Tensor maskedScores, long gridHeight, long gridWidth)
    {
        if (maskedScores.Dim != 2 || maskedScores.Size(1) != gridHeight * gridWidth)
            throw new ArgumentException($"patch scores must be [B, {gridHeight}*{gridWidth}], got {maskedScores}", nameof(maskedScores));
        using var scope = new DisposeScope();
        var grid = maskedScores.To(DType.Float32).Reshape(maskedScores.Size(0), 1, gridHeight, gridWidth);
        var upsampled = Functional.Interpolate(grid, Height, Width, InterpolationMode.Bilinear, alignCorners: false);
        return scope.MoveToOuter(GaussianBlur.Apply(upsampled.Squeeze(1), Sigma, Truncate));
    }
}

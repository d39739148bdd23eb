using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Imaging;

/// <summary>
/// CIFAR input (docs/method.md section 1): the 32x32 image is resized to 112x112 with PIL's ANTIALIAS filter
/// (Lanczos, a = 3; <see cref="PilResampler"/> reproduces PIL exactly), zero-padded by 56 black
/// pixels on every side in pixel space (so the border normalizes to -mean/std, as in the release,
/// which pads before normalizing) to 224x224, then ImageNet-normalized.
/// </summary>
public static class CifarPreprocessor
{
    public const int Side = 32;
    public const int ResizedSide = 112;
    public const int Padding = 56;
    public const int OutputSide = ResizedSide + 2 * Padding;

    /// <summary>The Lanczos-resized image, 112 x 112 RGB bytes.</summary>
    public static RgbImage ResizeLanczos(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Width != Side || image.Height != Side)
            throw new ArgumentException($"CIFAR images are {Side}x{Side}, got {image.Width}x{image.Height}", nameof(image));
        var resized = PilResampler.Resize(image.Pixels, Side, Side, 3, ResizedSide, ResizedSide, PilFilter.Lanczos);
        return new RgbImage(ResizedSide, ResizedSide, resized);
    }

    /// <summary>The resized image zero-padded to 224 x 224 RGB bytes (black border).</summary>
    public static RgbImage ResizeAndPad(RgbImage image)
    {
        var resized = ResizeLanczos(image);
        var padded = new byte[OutputSide * OutputSide * 3];
        for (int y = 0; y < ResizedSide; y++)
            resized.Pixels.AsSpan(y * ResizedSide * 3, ResizedSide * 3)
                .CopyTo(padded.AsSpan(((y + Padding) * OutputSide + Padding) * 3));
        return new RgbImage(OutputSide, OutputSide, padded);
    }

    /// <summary>float32 [3, 224, 224], ImageNet-normalized.</summary>
    public static Tensor Preprocess(RgbImage image)
    {
        var padded = ResizeAndPad(image);
        return ImageNetNormalization.FromHwc(padded.Pixels, OutputSide, OutputSide);
    }

    /// <summary>float32 [B, 3, 224, 224] from 32x32 HWC RGB byte arrays (as <c>CifarImage.Rgb</c> holds them).</summary>
    public static Tensor PreprocessBatch(IReadOnlyList<byte[]> rgb32)
    {
        ArgumentNullException.ThrowIfNull(rgb32);
        if (rgb32.Count == 0) throw new ArgumentException("no images", nameof(rgb32));
        using var scope = new DisposeScope();
        var images = rgb32.Select(p => Preprocess(new RgbImage(Side, Side, p))).ToList();
        return scope.MoveToOuter(Tensor.Stack(images));
    }
}

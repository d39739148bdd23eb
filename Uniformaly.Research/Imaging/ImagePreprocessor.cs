using System.Runtime.ExceptionServices;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Imaging;

/// <summary>
/// The method's image input (docs/method.md section 1), as torchvision's Resize(resize) + CenterCrop(imagesize)
/// + ToTensor + Normalize(ImageNet) on PIL images: the shorter side is resized to
/// <see cref="Resize"/> with antialiased bilinear interpolation (PIL's own fixed-point resampler by
/// default, or libtorch's within 1/255 of it, see <see cref="ImageResampling"/>), the centre
/// <see cref="ImageSize"/> square is cut out and normalized. Ground-truth masks take the same
/// geometry through PIL's exact bilinear resampler, since a pixel counts as anomalous only where
/// the resized value is exactly 255.
/// </summary>
public sealed class ImagePreprocessor
{
    public ImagePreprocessor(int resize, int imageSize, ImageResampling resampling = ImageResampling.Pil)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(imageSize);
        if (resize < imageSize)
            throw new ArgumentOutOfRangeException(nameof(resize), resize, $"resize must be at least the crop size {imageSize}");
        Resize = resize;
        ImageSize = imageSize;
        Resampling = resampling;
    }

    /// <summary>Which bilinear resampler resizes the images.</summary>
    public ImageResampling Resampling { get; }

    /// <summary>Length of the shorter side after resizing, in pixels.</summary>
    public int Resize { get; }

    /// <summary>S: side of the square centre crop, in pixels.</summary>
    public int ImageSize { get; }

    /// <summary>The resized and centre-cropped image, S x S RGB bytes (what the network sees, before
    /// normalization; also what heatmaps are drawn over).</summary>
    public RgbImage ResizeAndCrop(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (width, height) = ResizeGeometry.ShorterSideTo(image.Width, image.Height, Resize);
        var resized = Resampling == ImageResampling.Pil
            ? PilResampler.Resize(image.Pixels, image.Width, image.Height, 3, width, height, PilFilter.Bilinear)
            : ResizeLibtorch(image, width, height);
        return new RgbImage(ImageSize, ImageSize, CenterCrop(resized, width, height, 3));
    }

    /// <summary>Antialiased bilinear resize of HWC bytes through libtorch, rounded to 8 bits.</summary>
    private static byte[] ResizeLibtorch(RgbImage image, int width, int height)
    {
        using var scope = new DisposeScope();
        var input = Tensor.FromArray(image.Pixels, 1, image.Height, image.Width, 3).Permute(0, 3, 1, 2).To(DType.Float32);
        var resized = Functional.Interpolate(input, height, width, InterpolationMode.Bilinear, antialias: true);
        return resized.Round().Clamp(0, 255).To(DType.UInt8).Permute(0, 2, 3, 1).Contiguous().ToArray<byte>();
    }

    /// <summary>The centre S x S square of HWC bytes at torchvision's offsets.</summary>
    private byte[] CenterCrop(byte[] pixels, int width, int height, int channels)
    {
        int top = ResizeGeometry.CenterCropOffset(height, ImageSize);
        int left = ResizeGeometry.CenterCropOffset(width, ImageSize);
        var crop = new byte[ImageSize * ImageSize * channels];
        for (int y = 0; y < ImageSize; y++)
            pixels.AsSpan(((top + y) * width + left) * channels, ImageSize * channels)
                .CopyTo(crop.AsSpan(y * ImageSize * channels));
        return crop;
    }

    /// <summary>float32 [3, S, S], ImageNet-normalized.</summary>
    public Tensor Preprocess(RgbImage image)
    {
        var crop = ResizeAndCrop(image);
        return ImageNetNormalization.FromHwc(crop.Pixels, crop.Width, crop.Height);
    }

    /// <summary>Decodes <paramref name="path"/> and preprocesses it: float32 [3, S, S].</summary>
    public Tensor Load(string path) => Preprocess(ImageDecoder.Load(path));

    /// <summary>float32 [B, 3, S, S] for B paths, in order. Files are decoded and resized in
    /// parallel (decoding dominates for megapixel images); the first unreadable file's
    /// <see cref="ImageException"/> is rethrown as is.</summary>
    public Tensor LoadBatch(IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0) throw new ArgumentException("no image paths", nameof(paths));
        var crops = new byte[paths.Count][];
        try
        {
            Parallel.For(0, paths.Count, i => crops[i] = ResizeAndCrop(ImageDecoder.Load(paths[i])).Pixels);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        int s = ImageSize;
        var hwc = new byte[(long)paths.Count * s * s * 3];
        for (int i = 0; i < crops.Length; i++) crops[i].CopyTo(hwc, (long)i * s * s * 3);
        using var scope = new DisposeScope();
        var batch = Tensor.FromArray(hwc, paths.Count, s, s, 3).Permute(0, 3, 1, 2);
        return scope.MoveToOuter(ImageNetNormalization.Normalize(batch));
    }

    /// <summary>The ground truth of <paramref name="imagePath"/>: S x S bytes, 1 where the resized
    /// mask is exactly 255, else 0. The mask must have the image's size.</summary>
    /// <exception cref="ImageException">either file is unreadable, or their sizes differ (names both).</exception>
    public byte[] LoadMask(string maskPath, string imagePath)
    {
        var mask = ImageDecoder.LoadGray(maskPath);
        var image = ImageDecoder.Load(imagePath);
        if (mask.Width != image.Width || mask.Height != image.Height)
            throw new ImageException(maskPath,
                $"mask is {mask.Width}x{mask.Height} but its image {imagePath} is {image.Width}x{image.Height}");
        return BinaryMask(mask);
    }

    /// <summary>A 0/255 mask resized (PIL bilinear) and cropped like the images, then 1 where exactly 255: S x S bytes.</summary>
    public byte[] BinaryMask(GrayImage mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        var (width, height) = ResizeGeometry.ShorterSideTo(mask.Width, mask.Height, Resize);
        var resized = PilResampler.Resize(mask.Pixels, mask.Width, mask.Height, 1, width, height, PilFilter.Bilinear);
        var crop = CenterCrop(resized, width, height, 1);
        for (int i = 0; i < crop.Length; i++) crop[i] = crop[i] == 255 ? (byte)1 : (byte)0;
        return crop;
    }
}

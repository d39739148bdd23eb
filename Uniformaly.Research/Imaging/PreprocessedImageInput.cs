using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Imaging;

/// <summary>Dataset files as the method sees them (docs/method.md section 1), for the evaluations:
/// decoding by <see cref="ImageDecoder"/>, geometry and normalization by <see cref="ImagePreprocessor"/>,
/// PNG output by <see cref="PngWriter"/>.</summary>
public sealed class PreprocessedImageInput(ImagePreprocessor preprocessor) : IImageInput
{
    public PreprocessedImageInput(int resize, int imageSize) : this(new ImagePreprocessor(resize, imageSize)) { }

    /// <inheritdoc/>
    public int ImageSize => preprocessor.ImageSize;

    /// <inheritdoc/>
    public Tensor LoadBatch(IReadOnlyList<string> paths) => preprocessor.LoadBatch(paths);

    /// <inheritdoc/>
    public byte[] LoadMask(string maskPath, string imagePath) => preprocessor.LoadMask(maskPath, imagePath);

    /// <inheritdoc/>
    public byte[] LoadCrop(string path) => preprocessor.ResizeAndCrop(ImageDecoder.Load(path)).Pixels;

    /// <inheritdoc/>
    public bool IsUnreadable(Exception error) => error is ImageException;

    /// <inheritdoc/>
    public void SavePng(string path, byte[] rgb) => PngWriter.Save(path, new RgbImage(ImageSize, ImageSize, rgb));
}

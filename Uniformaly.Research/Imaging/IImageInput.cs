using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Imaging;

/// <summary>Reads dataset files as the method sees them (docs/method.md section 1): images resized, cropped and
/// normalized, masks resized and cropped alike.</summary>
public interface IImageInput
{
    /// <summary>S: images and maps are S x S.</summary>
    int ImageSize { get; }

    /// <summary>[B, 3, S, S] normalized float32; a file that cannot be read throws an exception naming it.</summary>
    Tensor LoadBatch(IReadOnlyList<string> paths);

    /// <summary>[S*S] 0/1 ground truth of <paramref name="imagePath"/> from its mask file.</summary>
    byte[] LoadMask(string maskPath, string imagePath);

    /// <summary>The resized and cropped image as S x S RGB bytes (HWC), for heatmap overlays.</summary>
    byte[] LoadCrop(string path);

    /// <summary>Whether <paramref name="error"/> means a file could not be read (missing, corrupt,
    /// unsupported), as opposed to a bug or a resource failure.</summary>
    bool IsUnreadable(Exception error);

    /// <summary>Writes S x S RGB bytes as a PNG (atomically).</summary>
    void SavePng(string path, byte[] rgb);
}

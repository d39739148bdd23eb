using Uniformaly.Research.Imaging;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Features;

/// <summary>
/// The reference (training) images' features with AnomalyDINO's rotations (--rotate-references,
/// <see cref="ReferenceRotation"/>): each batch of images is extracted with its rotated copies, so a
/// batch of B images gives B x 8 images' features. In front of the feature cache, each rotation is
/// its own cache entry (the cache keys on the image content).
/// </summary>
public sealed class RotatedReferences(IFeatureExtractor inner) : IFeatureExtractor
{
    public int PatchSize => inner.PatchSize;

    public PatchFeatures Extract(Tensor images)
    {
        using var rotated = ReferenceRotation.Augment(images);
        return inner.Extract(rotated);
    }

    /// <summary>Consecutive features the training images' extractor gives per image (<see cref="For"/>): the image and its rotations, or 1.</summary>
    public static int CopiesPerImage(DetectorSettings settings) => settings.RotateReferences ? ReferenceRotation.Angles.Count : 1;

    /// <summary>The extractor of the training images: with the rotations when <paramref name="settings"/> ask for them.</summary>
    public static IFeatureExtractor For(IFeatureExtractor extractor, DetectorSettings settings) =>
        settings.RotateReferences ? new RotatedReferences(extractor) : extractor;
}

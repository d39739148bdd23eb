using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Features;

/// <summary>Turns preprocessed images into patch features (a backbone, or a cache in front of one).</summary>
public interface IPatchFeatureExtractor
{
    /// <param name="images">[B, 3, S, S] normalized images.</param>
    PatchFeatures Extract(Tensor images);
}

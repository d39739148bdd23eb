using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Features;

/// <summary>Turns preprocessed images into patch features: a <see cref="FeatureExtractor"/>, or the
/// feature cache in front of one.</summary>
public interface IFeatureExtractor
{
    /// <summary>p: the backbone's patch size, so an S x S image has (S/p)^2 patches.</summary>
    int PatchSize { get; }

    /// <param name="images">[B, 3, S, S] normalized images.</param>
    PatchFeatures Extract(Tensor images);
}

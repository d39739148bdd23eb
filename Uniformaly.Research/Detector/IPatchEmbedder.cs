using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Detector;

/// <summary>Turns preprocessed images into the detector's patch embeddings (a backbone, or a cache in front of one).</summary>
public interface IPatchEmbedder
{
    /// <param name="images">[B, 3, S, S] normalized images.</param>
    PatchEmbedding Embed(Tensor images);
}

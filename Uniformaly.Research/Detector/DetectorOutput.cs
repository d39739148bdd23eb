using Uniformaly.Research.Masking;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Detector;

/// <summary>The detector's verdict on a batch of images. Owns its tensors.</summary>
/// <param name="Scores">[B] float32 image anomaly scores s*.</param>
/// <param name="Maps">[B, H, W] float32 anomaly maps at the network input size.</param>
/// <param name="PatchIndices">[B, K] int64 positions of the patches that made each score.</param>
/// <param name="ClusteringFeatures">[B, D] mean patch feature at those positions (docs/method.md section 8).</param>
public sealed record DetectorOutput(Tensor Scores, Tensor Maps, Tensor PatchIndices, Tensor ClusteringFeatures) : IDisposable
{
    /// <summary>The batch's test patches, and how many Back Patch Masking zeroed.</summary>
    public PatchCount Masking { get; init; }

    public void Dispose()
    {
        Scores.Dispose();
        Maps.Dispose();
        PatchIndices.Dispose();
        ClusteringFeatures.Dispose();
    }
}

using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Detector;

/// <summary>
/// What the backbone gives the detector for a batch of images (SPEC section 4): the layer-averaged
/// patch features and the head-mean CLS attention of the attention layer, on the patch grid.
/// Owns its tensors.
/// </summary>
/// <param name="Features">[B, N, D] float32 patch features P.</param>
/// <param name="ClsAttention">[B, N] raw head-mean CLS attention over the patches (before smoothing).</param>
/// <param name="GridHeight">h: N = h * w.</param>
/// <param name="GridWidth">w.</param>
public sealed record PatchEmbedding(Tensor Features, Tensor ClsAttention, long GridHeight, long GridWidth) : IDisposable
{
    public long Batch => Features.Size(0);

    public long Patches => Features.Size(1);

    public long Dim => Features.Size(2);

    public void Dispose()
    {
        Features.Dispose();
        ClsAttention.Dispose();
    }
}

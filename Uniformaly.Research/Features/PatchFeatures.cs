using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Features;

/// <summary>Layer-averaged patch features and the CLS attention that drives BPM, for a batch; owns its tensors.</summary>
/// <param name="Features">P: [B, N, D] float32, the mean over the layers L of the block outputs without CLS.</param>
/// <param name="ClsAttention">[B, N]: attention of the CLS query to each patch in the attention layer, mean over heads.</param>
/// <param name="GridHeight">h = H / p.</param>
/// <param name="GridWidth">w = W / p.</param>
public sealed record PatchFeatures(Tensor Features, Tensor ClsAttention, int GridHeight, int GridWidth) : IDisposable
{
    public void Dispose()
    {
        Features.Dispose();
        ClsAttention.Dispose();
    }
}

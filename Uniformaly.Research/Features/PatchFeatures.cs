using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Features;

/// <summary>Layer-averaged patch features and the CLS attention that drives BPM, for a batch; owns its tensors.</summary>
/// <param name="Features">P: [B, N, D] float32, the mean over the layers L of the block outputs without CLS.</param>
/// <param name="ClsAttention">[B, N]: attention of the CLS query to each patch in the attention layer, mean over heads.</param>
/// <param name="GridHeight">h = H / p.</param>
/// <param name="GridWidth">w = W / p.</param>
public sealed record PatchFeatures(Tensor Features, Tensor ClsAttention, int GridHeight, int GridWidth) : IDisposable
{
    public long Batch => Features.Size(0);

    /// <summary>N = h * w.</summary>
    public long Patches => Features.Size(1);

    /// <summary>D, the feature width.</summary>
    public long Dim => Features.Size(2);

    public void Dispose()
    {
        Features.Dispose();
        ClsAttention.Dispose();
    }
}

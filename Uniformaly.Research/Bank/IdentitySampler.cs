using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Bank;

/// <summary>Keeps every row (no subsampling).</summary>
public sealed class IdentitySampler : IFeatureSampler
{
    /// <inheritdoc/>
    public ISamplingSession Begin(long dim, Device device) => new CountingSession(dim, device, rows => Tensor.Arange(0, rows));
}

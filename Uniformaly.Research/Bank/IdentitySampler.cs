using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Bank;

/// <summary>Keeps every row (no subsampling).</summary>
public sealed class IdentitySampler : IFeatureSampler
{
    /// <inheritdoc/>
    public Tensor Select(Tensor features)
    {
        SamplerArguments.Features(features, nameof(features));
        return Tensor.Arange(0, features.Size(0), device: features.Device);
    }
}

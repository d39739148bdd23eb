using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>DINOv2/DINOv3's LayerScale: x * gamma, per channel, with <c>{prefix}gamma</c> [D].</summary>
internal sealed class LayerScale(IReadOnlyDictionary<string, Tensor> parameters, string prefix)
{
    private readonly Tensor _gamma = parameters[prefix + "gamma"];

    public Tensor Forward(Tensor x) => x * _gamma;
}

using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>nn.LayerNorm(D, eps=1e-6) over the last dim, with <c>{prefix}weight</c> and <c>{prefix}bias</c> [D].</summary>
internal sealed class LayerNorm(IReadOnlyDictionary<string, Tensor> parameters, string prefix)
{
    private readonly Tensor _weight = parameters[prefix + "weight"];
    private readonly Tensor _bias = parameters[prefix + "bias"];

    public Tensor Forward(Tensor x) => Functional.LayerNorm(x, [_weight.Size(0)], _weight, _bias, VitArchitecture.LayerNormEps);
}

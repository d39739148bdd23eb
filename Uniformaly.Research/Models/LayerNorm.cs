using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>nn.LayerNorm(D, eps) over the last dim, with <c>{prefix}weight</c> and <c>{prefix}bias</c> [D]
/// (eps 1e-6 for DINO and DINOv2, 1e-5 for DINOv3: <see cref="VitArchitecture.LayerNormEps"/>).</summary>
internal sealed class LayerNorm(IReadOnlyDictionary<string, Tensor> parameters, string prefix, double eps)
{
    private readonly Tensor _weight = parameters[prefix + "weight"];
    private readonly Tensor _bias = parameters[prefix + "bias"];

    public Tensor Forward(Tensor x) => Functional.LayerNorm(x, [_weight.Size(0)], _weight, _bias, eps);
}

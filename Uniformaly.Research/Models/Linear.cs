using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>nn.Linear: x [..., in] -> [..., out] with <c>{prefix}weight</c> [out, in] and <c>{prefix}bias</c> [out].</summary>
internal sealed class Linear(IReadOnlyDictionary<string, Tensor> parameters, string prefix)
{
    private readonly Tensor _weight = parameters[prefix + "weight"];
    private readonly Tensor _bias = parameters[prefix + "bias"];

    public Tensor Forward(Tensor x) => Functional.Linear(x, _weight, _bias);
}

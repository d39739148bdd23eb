using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>nn.Linear: x [..., in] -> [..., out] with <c>{prefix}weight</c> [out, in] and <c>{prefix}bias</c> [out].</summary>
internal sealed class Linear(IReadOnlyDictionary<string, Tensor> parameters, string prefix)
{
    private readonly Tensor _weight = parameters[prefix + "weight"];
    private readonly Tensor _bias = parameters[prefix + "bias"];

    public Tensor Forward(Tensor x) => Functional.Linear(x, _weight, _bias);

    /// <summary>GELU(Forward(x)) in one native call (the activation in place).</summary>
    public Tensor ForwardGelu(Tensor x) => Functional.LinearGelu(x, _weight, _bias);

    /// <summary>residual + Forward(x) in one native call (the product accumulated onto the residual).</summary>
    public Tensor ForwardAdd(Tensor x, Tensor residual) => Functional.LinearAdd(x, _weight, _bias, residual);
}

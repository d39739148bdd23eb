using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>DINOv3's LinearKMaskedBias for qkv: nn.Linear whose bias is multiplied by the saved
/// buffer <c>{prefix}bias_mask</c> (1 for q and v, 0 for k) on every call, as the official module does.</summary>
internal sealed class LinearKMaskedBias(IReadOnlyDictionary<string, Tensor> parameters, string prefix)
{
    private readonly Tensor _weight = parameters[prefix + "weight"];
    private readonly Tensor _bias = parameters[prefix + "bias"];
    private readonly Tensor _biasMask = parameters[prefix + "bias_mask"];

    public Tensor Forward(Tensor x)
    {
        using var scope = new DisposeScope();
        return scope.MoveToOuter(Functional.Linear(x, _weight, _bias * _biasMask));
    }
}

using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>A block's feed-forward network: x [..., D] -> [..., D].</summary>
internal interface IFeedForward
{
    Tensor Forward(Tensor x);
}

/// <summary>DINO's Mlp: fc1 Linear(D, 4D), exact (erf) GELU, fc2 Linear(4D, D).</summary>
internal sealed class Mlp(IReadOnlyDictionary<string, Tensor> parameters, string prefix) : IFeedForward
{
    private readonly Linear _fc1 = new(parameters, prefix + "fc1.");
    private readonly Linear _fc2 = new(parameters, prefix + "fc2.");

    public Tensor Forward(Tensor x)
    {
        using var scope = new DisposeScope();
        return scope.MoveToOuter(_fc2.Forward(_fc1.ForwardGelu(x)));
    }

    /// <summary>residual + fc2(GELU(fc1(x))): the block's residual add is folded into fc2.</summary>
    public Tensor Forward(Tensor x, Tensor residual)
    {
        using var scope = new DisposeScope();
        return scope.MoveToOuter(_fc2.ForwardAdd(_fc1.ForwardGelu(x), residual));
    }
}

using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>DINO's Mlp: fc1 Linear(D, 4D), exact (erf) GELU, fc2 Linear(4D, D).</summary>
internal sealed class Mlp(IReadOnlyDictionary<string, Tensor> parameters, string prefix)
{
    private readonly Linear _fc1 = new(parameters, prefix + "fc1.");
    private readonly Linear _fc2 = new(parameters, prefix + "fc2.");

    public Tensor Forward(Tensor x)
    {
        using var scope = new DisposeScope();
        return scope.MoveToOuter(_fc2.Forward(Functional.Gelu(_fc1.Forward(x))));
    }
}

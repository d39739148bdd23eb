using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>DINOv3's SwiGLUFFN (the "plus" models): w3(SiLU(w1(x)) * w2(x)).</summary>
internal sealed class SwiGluFfn(IReadOnlyDictionary<string, Tensor> parameters, string prefix) : IFeedForward
{
    private readonly Linear _w1 = new(parameters, prefix + "w1.");
    private readonly Linear _w2 = new(parameters, prefix + "w2.");
    private readonly Linear _w3 = new(parameters, prefix + "w3.");

    public Tensor Forward(Tensor x)
    {
        using var scope = new DisposeScope();
        return scope.MoveToOuter(_w3.Forward(_w1.Forward(x).Silu() * _w2.Forward(x)));
    }
}

using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>DINOv2's SwiGLUFFNFused (ViT-g): x12 = w12(x) [..., 2h], split into halves (x1, x2),
/// w3(SiLU(x1) * x2).</summary>
internal sealed class SwiGluFfnFused(IReadOnlyDictionary<string, Tensor> parameters, string prefix) : IFeedForward
{
    private readonly Linear _w12 = new(parameters, prefix + "w12.");
    private readonly Linear _w3 = new(parameters, prefix + "w3.");

    public Tensor Forward(Tensor x)
    {
        using var scope = new DisposeScope();
        var x12 = _w12.Forward(x);
        var hidden = x12.Size(-1) / 2;
        var last = x12.Dim - 1;
        return scope.MoveToOuter(_w3.Forward(x12.Narrow(last, 0, hidden).Silu() * x12.Narrow(last, hidden, hidden)));
    }
}

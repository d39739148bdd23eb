using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>DINO's multi-head self-attention: qkv Linear(D, 3D) with bias, softmax((q k^T) * (D/heads)^-0.5), proj.</summary>
internal sealed class Attention
{
    private readonly Linear _qkv;
    private readonly Linear _proj;
    private readonly int _heads;
    private readonly double _scale;

    public Attention(IReadOnlyDictionary<string, Tensor> parameters, string prefix, VitArchitecture architecture)
    {
        _qkv = new Linear(parameters, prefix + "qkv.");
        _proj = new Linear(parameters, prefix + "proj.");
        _heads = architecture.Heads;
        _scale = Math.Pow(architecture.HeadDim, -0.5);
    }

    /// <summary>x [B, T, D] -> (output [B, T, D], softmax attention [B, heads, T, T]).</summary>
    public (Tensor Output, Tensor Attention) Forward(Tensor x)
    {
        using var scope = new DisposeScope();
        var (b, t, d) = (x.Size(0), x.Size(1), x.Size(2));
        var qkv = _qkv.Forward(x).Reshape(b, t, 3, _heads, d / _heads).Permute(2, 0, 3, 1, 4);
        var (q, k, v) = (qkv.Select(0, 0), qkv.Select(0, 1), qkv.Select(0, 2));
        var attention = Functional.Softmax(q.MatMul(k.Transpose(-2, -1)) * _scale, -1);
        var output = _proj.Forward(attention.MatMul(v).Transpose(1, 2).Reshape(b, t, d));
        return (scope.MoveToOuter(output), scope.MoveToOuter(attention));
    }
}

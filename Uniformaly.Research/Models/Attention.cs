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

    /// <summary>x [B, T, D] -> residual + proj(attention output) [B, T, D] (the block's residual add
    /// folded into proj) and, when <paramref name="withAttention"/>, the softmax attention [B, heads, T, T].</summary>
    public (Tensor Output, Tensor? Attention) Forward(Tensor x, Tensor residual, bool withAttention)
    {
        using var scope = new DisposeScope();
        var (heads, attention) = Functional.MultiHeadAttention(_qkv.Forward(x), _heads, _scale, withAttention);
        var output = _proj.ForwardAdd(heads, residual);
        return (scope.MoveToOuter(output), attention is null ? null : scope.MoveToOuter(attention));
    }
}

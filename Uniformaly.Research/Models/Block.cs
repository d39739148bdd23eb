using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>DINO's pre-norm transformer block: x = x + Attn(LN1(x)); x = x + MLP(LN2(x)).
/// Dropout and drop-path are inference no-ops and have no parameters.</summary>
internal sealed class Block
{
    private readonly LayerNorm _norm1;
    private readonly Attention _attn;
    private readonly LayerNorm _norm2;
    private readonly Mlp _mlp;

    public Block(IReadOnlyDictionary<string, Tensor> parameters, int index, VitArchitecture architecture)
    {
        var prefix = $"blocks.{index}.";
        _norm1 = new LayerNorm(parameters, prefix + "norm1.");
        _attn = new Attention(parameters, prefix + "attn.", architecture);
        _norm2 = new LayerNorm(parameters, prefix + "norm2.");
        _mlp = new Mlp(parameters, prefix + "mlp.");
    }

    /// <summary>x [B, T, D] -> (block output [B, T, D], softmax attention [B, heads, T, T] when
    /// <paramref name="withAttention"/>, else null).</summary>
    public (Tensor Output, Tensor? Attention) Forward(Tensor x, bool withAttention)
    {
        using var scope = new DisposeScope();
        var (h, attention) = _attn.Forward(_norm1.Forward(x), residual: x, withAttention);
        var output = _mlp.Forward(_norm2.Forward(h), residual: h);
        return (scope.MoveToOuter(output), attention is null ? null : scope.MoveToOuter(attention));
    }
}

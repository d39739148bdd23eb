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

    /// <summary>x [B, T, D] -> (block output [B, T, D], softmax attention [B, heads, T, T]).</summary>
    public (Tensor Output, Tensor Attention) Forward(Tensor x)
    {
        using var scope = new DisposeScope();
        var (y, attention) = _attn.Forward(_norm1.Forward(x));
        var h = x + y;
        var output = h + _mlp.Forward(_norm2.Forward(h));
        return (scope.MoveToOuter(output), scope.MoveToOuter(attention));
    }
}

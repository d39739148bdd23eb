using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>The pre-norm transformer block: x = x + Attn(LN1(x)); x = x + FFN(LN2(x)) for DINO;
/// DINOv2 and DINOv3 scale each branch by its LayerScale: x = x + ls1(Attn(LN1(x))); x = x + ls2(FFN(LN2(x))).
/// Dropout and drop-path are inference no-ops and have no parameters.</summary>
internal sealed class Block
{
    private readonly LayerNorm _norm1;
    private readonly Attention _attn;
    private readonly LayerScale? _ls1;
    private readonly LayerNorm _norm2;
    private readonly IFeedForward _mlp;
    private readonly LayerScale? _ls2;

    public Block(IReadOnlyDictionary<string, Tensor> parameters, int index, VitArchitecture architecture)
    {
        var prefix = $"blocks.{index}.";
        var eps = architecture.LayerNormEps;
        _norm1 = new LayerNorm(parameters, prefix + "norm1.", eps);
        _attn = new Attention(parameters, prefix + "attn.", architecture);
        _norm2 = new LayerNorm(parameters, prefix + "norm2.", eps);
        _mlp = architecture.FeedForward switch
        {
            FeedForward.SwiGluFused => new SwiGluFfnFused(parameters, prefix + "mlp."),
            FeedForward.SwiGlu => new SwiGluFfn(parameters, prefix + "mlp."),
            _ => new Mlp(parameters, prefix + "mlp."),
        };
        if (architecture.HasLayerScale)
        {
            _ls1 = new LayerScale(parameters, prefix + "ls1.");
            _ls2 = new LayerScale(parameters, prefix + "ls2.");
        }
    }

    /// <summary>x [B, T, D] -> (block output [B, T, D], softmax attention [B, heads, T, T] when
    /// <paramref name="withAttention"/>, else null). <paramref name="rope"/>: DINOv3's (sin, cos).</summary>
    public (Tensor Output, Tensor? Attention) Forward(Tensor x, (Tensor Sin, Tensor Cos)? rope, bool withAttention)
    {
        using var scope = new DisposeScope();
        Tensor output;
        Tensor? attention;
        if (_ls1 is null || _ls2 is null)
        {
            // DINO: the residual adds folded into proj and fc2.
            (var h, attention) = _attn.Forward(_norm1.Forward(x), residual: x, rope, withAttention);
            output = ((Mlp)_mlp).Forward(_norm2.Forward(h), residual: h);
        }
        else
        {
            (var a, attention) = _attn.Forward(_norm1.Forward(x), residual: null, rope, withAttention);
            var h = x + _ls1.Forward(a);
            output = h + _ls2.Forward(_mlp.Forward(_norm2.Forward(h)));
        }
        return (scope.MoveToOuter(output), attention is null ? null : scope.MoveToOuter(attention));
    }
}

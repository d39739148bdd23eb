using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>The multi-head self-attention of DINO, DINOv2 and DINOv3: qkv Linear(D, 3D) with bias
/// (DINOv3: the k part of the bias masked out, <see cref="LinearKMaskedBias"/>), DINOv3's RoPE on the
/// patch tokens' q and k, softmax((q k^T) * (D/heads)^-0.5) v, proj.</summary>
internal sealed class Attention
{
    private readonly Linear? _qkv;
    private readonly LinearKMaskedBias? _maskedQkv;
    private readonly Linear _proj;
    private readonly int _heads;
    private readonly double _scale;

    public Attention(IReadOnlyDictionary<string, Tensor> parameters, string prefix, VitArchitecture architecture)
    {
        if (architecture.HasRope) _maskedQkv = new LinearKMaskedBias(parameters, prefix + "qkv.");
        else _qkv = new Linear(parameters, prefix + "qkv.");
        _proj = new Linear(parameters, prefix + "proj.");
        _heads = architecture.Heads;
        _scale = Math.Pow(architecture.HeadDim, -0.5);
    }

    /// <summary>x [B, T, D] -> proj(attention output) [B, T, D], plus <paramref name="residual"/> when
    /// given (the block's residual add folded into proj), and, when <paramref name="withAttention"/>,
    /// the softmax attention [B, heads, T, T]. <paramref name="rope"/> (sin, cos) [h*w, head dim]
    /// rotates the last h*w tokens (the patches) of q and k.</summary>
    public (Tensor Output, Tensor? Attention) Forward(Tensor x, Tensor? residual, (Tensor Sin, Tensor Cos)? rope, bool withAttention)
    {
        using var scope = new DisposeScope();
        var qkv = _maskedQkv?.Forward(x) ?? _qkv!.Forward(x);
        if (rope is { } r) qkv = ApplyRope(qkv, r.Sin, r.Cos);
        var (heads, attention) = Functional.MultiHeadAttention(qkv, _heads, _scale, withAttention);
        var output = residual is null ? _proj.Forward(heads) : _proj.ForwardAdd(heads, residual);
        return (scope.MoveToOuter(output), attention is null ? null : scope.MoveToOuter(attention));
    }

    /// <summary>SelfAttention.apply_rope in qkv's [B, T, 3, heads, head dim] layout: q and k of the
    /// patch tokens rotated, the prefix tokens' (CLS, storage) and v unchanged.</summary>
    private Tensor ApplyRope(Tensor qkv, Tensor sin, Tensor cos)
    {
        var (b, t, width) = (qkv.Size(0), qkv.Size(1), qkv.Size(2));
        var parts = qkv.View(b, t, 3, _heads, width / 3 / _heads);
        var patches = sin.Size(0);
        var prefix = t - patches;
        var (sinHeads, cosHeads) = (sin.Unsqueeze(1), cos.Unsqueeze(1));
        Tensor Rotate(Tensor part) => Tensor.Cat([part.Narrow(1, 0, prefix),
            RopePositionEmbedding.Apply(part.Narrow(1, prefix, patches), sinHeads, cosHeads)], 1);
        return Tensor.Stack([Rotate(parts.Select(2, 0)), Rotate(parts.Select(2, 1)), parts.Select(2, 2)], 2).Reshape(b, t, width);
    }
}

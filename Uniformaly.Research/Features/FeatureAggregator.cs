using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Features;

/// <summary>
/// Patch features of docs/method.md section 4 and the CLS attention of section 5 (the release's
/// LayerwiseAggregator): P = mean over the 1-based layers L of the block outputs (before the final
/// norm) with the CLS token (and DINOv2's registers or DINOv3's storage tokens) dropped, and the
/// head-mean attention of the CLS query to the patches in the attention layer a: the softmax is the
/// model's, over all tokens, so the patch weights need not sum to 1 (docs/method.md section 2.1). The backbone stops after max(L, a). L and a are the validated settings'
/// (<see cref="Settings.BackboneFit"/> checked them against the backbone's depth).
/// </summary>
public sealed class FeatureAggregator
{
    private readonly VisionTransformer _model;

    public FeatureAggregator(VisionTransformer model, IReadOnlyList<int> layers, int attentionLayer)
    {
        _model = model;
        Layers = layers;
        AttentionLayer = attentionLayer;
    }

    /// <summary>L, 1-based.</summary>
    public IReadOnlyList<int> Layers { get; }

    /// <summary>a, 1-based.</summary>
    public int AttentionLayer { get; }

    /// <summary>Features of images [B, 3, H, W] (float32, normalized, on the model's device).</summary>
    public PatchFeatures Extract(Tensor images)
    {
        using var outputs = _model.Forward(images, Layers, AttentionLayer, AttentionForm.ClsHeadMean);
        return new PatchFeatures(AverageLayers(outputs, Layers), PatchAttention(outputs), outputs.GridHeight, outputs.GridWidth);
    }

    /// <summary>P = mean over <paramref name="layers"/> of the block outputs [B, T, D] without the prefix tokens: [B, N, D].</summary>
    public static Tensor AverageLayers(VitOutputs outputs, IReadOnlyList<int> layers)
    {
        using var scope = new DisposeScope();
        var patches = layers.Select(l => outputs.Blocks[l].Narrow(1, outputs.PrefixTokens, outputs.PatchCount)).ToList();
        return scope.MoveToOuter(Tensor.Stack(patches).Mean(0));
    }

    /// <summary>The head-mean CLS row [B, T] (<see cref="AttentionForm.ClsHeadMean"/>) restricted to the patch keys: [B, N].</summary>
    public static Tensor PatchAttention(VitOutputs outputs) => outputs.Attention!.Narrow(1, outputs.PrefixTokens, outputs.PatchCount).Contiguous();
}

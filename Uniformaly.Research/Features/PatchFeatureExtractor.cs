using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Features;

/// <summary>
/// Patch features of SPEC section 4 and the CLS attention of section 5: P = mean over the 1-based
/// layers L of the block outputs (before the final norm) with the CLS token dropped, and the
/// head-mean attention of the CLS query to the patches in the attention layer a (default: the
/// last of L). The backbone stops after max(L, a).
/// </summary>
public sealed class PatchFeatureExtractor : IPatchFeatureExtractor
{
    /// <summary>L = {3, ..., 10}, the paper's default (the release's 0-based 2..9).</summary>
    public static readonly IReadOnlyList<int> DefaultLayers = [3, 4, 5, 6, 7, 8, 9, 10];

    private readonly VisionTransformer _model;

    /// <exception cref="ArgumentException">a layer is outside 1..depth, listed twice, or none is given.</exception>
    public PatchFeatureExtractor(VisionTransformer model, IReadOnlyList<int>? layers = null, int? attentionLayer = null)
    {
        _model = model;
        Layers = layers ?? DefaultLayers;
        AttentionLayer = attentionLayer ?? (Layers.Count > 0 ? Layers.Max() : 0);
        Validate(model.Architecture.Depth);
    }

    /// <summary>L, 1-based.</summary>
    public IReadOnlyList<int> Layers { get; }

    /// <summary>a, 1-based.</summary>
    public int AttentionLayer { get; }

    /// <summary>Features of images [B, 3, H, W] (float32, normalized, on the model's device).</summary>
    public PatchFeatures Extract(Tensor images)
    {
        using var outputs = _model.Forward(images, Layers, AttentionLayer, AttentionForm.ClsHeadMean);
        return new PatchFeatures(AverageLayers(outputs, Layers), PatchAttention(outputs.Attention!), outputs.GridHeight, outputs.GridWidth);
    }

    /// <summary>P = mean over <paramref name="layers"/> of the block outputs [B, N+1, D] without CLS: [B, N, D].</summary>
    public static Tensor AverageLayers(VitOutputs outputs, IReadOnlyList<int> layers)
    {
        using var scope = new DisposeScope();
        var patches = layers.Select(l => outputs.Blocks[l].Slice(1, 1, outputs.PatchCount + 1)).ToList();
        return scope.MoveToOuter(Tensor.Stack(patches).Mean(0));
    }

    /// <summary>The head-mean CLS row [B, N+1] restricted to the patch keys: [B, N].</summary>
    public static Tensor PatchAttention(Tensor clsRow) => clsRow.Slice(1, 1, clsRow.Size(1)).Contiguous();

    private void Validate(int depth)
    {
        if (Layers.Count == 0) throw new ArgumentException("--layers: no layer given", "layers");
        if (Layers.Distinct().Count() != Layers.Count)
            throw new ArgumentException($"--layers: {string.Join(",", Layers)} names a layer twice", "layers");
        var outside = Layers.Where(l => l < 1 || l > depth).ToList();
        if (outside.Count > 0)
            throw new ArgumentException($"--layers: {string.Join(",", outside)} outside 1..{depth} (the backbone has {depth} blocks, numbered from 1)", "layers");
        if (AttentionLayer < 1 || AttentionLayer > depth)
            throw new ArgumentException($"--attention-layer: {AttentionLayer} outside 1..{depth} (the backbone has {depth} blocks)", "attentionLayer");
    }
}

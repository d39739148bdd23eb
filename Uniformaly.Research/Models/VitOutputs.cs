using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>What attention <see cref="VisionTransformer.Forward"/> returns for the attention layer.</summary>
public enum AttentionForm
{
    /// <summary>The softmax attention of every head: [B, heads, N+1, N+1] (queries x keys, CLS first).</summary>
    Full,

    /// <summary>The CLS query row averaged over heads: [B, N+1] (keys, CLS first).</summary>
    ClsHeadMean,
}

/// <summary>The requested block outputs and attention of one forward pass; owns its tensors.</summary>
public sealed class VitOutputs : IDisposable
{
    internal VitOutputs(IReadOnlyDictionary<int, Tensor> blocks, int? attentionLayer, Tensor? attention, int gridHeight, int gridWidth)
    {
        Blocks = blocks;
        AttentionLayer = attentionLayer;
        Attention = attention;
        GridHeight = gridHeight;
        GridWidth = gridWidth;
    }

    /// <summary>Block output (before the final norm) by 1-based layer number: [B, N+1, D], CLS first.</summary>
    public IReadOnlyDictionary<int, Tensor> Blocks { get; }

    /// <summary>The 1-based block whose attention is in <see cref="Attention"/>, or null.</summary>
    public int? AttentionLayer { get; }

    /// <summary>Softmax attention of <see cref="AttentionLayer"/> in the requested <see cref="AttentionForm"/>, or null.</summary>
    public Tensor? Attention { get; }

    /// <summary>Patch grid rows h = H / p.</summary>
    public int GridHeight { get; }

    /// <summary>Patch grid columns w = W / p.</summary>
    public int GridWidth { get; }

    /// <summary>N = h * w.</summary>
    public int PatchCount => GridHeight * GridWidth;

    public void Dispose()
    {
        foreach (var tensor in Blocks.Values) tensor.Dispose();
        Attention?.Dispose();
    }
}

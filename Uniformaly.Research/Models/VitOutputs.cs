using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>What attention <see cref="VisionTransformer.Forward"/> returns for the attention layer.</summary>
public enum AttentionForm
{
    /// <summary>The softmax attention of every head: [B, heads, T, T] (queries x keys, CLS first, the patches last).</summary>
    Full,

    /// <summary>The CLS query row averaged over heads: [B, T] (keys, CLS first, the patches last).</summary>
    ClsHeadMean,
}

/// <summary>The requested block outputs and attention of one forward pass; owns its tensors.</summary>
public sealed class VitOutputs : IDisposable
{
    internal VitOutputs(IReadOnlyDictionary<int, Tensor> blocks, int? attentionLayer, Tensor? attention, int gridHeight, int gridWidth, int prefixTokens)
    {
        PrefixTokens = prefixTokens;
        Blocks = blocks;
        AttentionLayer = attentionLayer;
        Attention = attention;
        GridHeight = gridHeight;
        GridWidth = gridWidth;
    }

    /// <summary>Block output (before the final norm) by 1-based layer number: [B, T, D], T =
    /// <see cref="PrefixTokens"/> + N, CLS first, then the register or storage tokens, then the patches.</summary>
    public IReadOnlyDictionary<int, Tensor> Blocks { get; }

    /// <summary>The 1-based block whose attention is in <see cref="Attention"/>, or null.</summary>
    public int? AttentionLayer { get; }

    /// <summary>Softmax attention of <see cref="AttentionLayer"/> in the requested <see cref="AttentionForm"/>, or null.</summary>
    public Tensor? Attention { get; }

    /// <summary>Patch grid rows h = H / p.</summary>
    public int GridHeight { get; }

    /// <summary>Patch grid columns w = W / p.</summary>
    public int GridWidth { get; }

    /// <summary>Tokens before the patches: CLS and the register or storage tokens.</summary>
    public int PrefixTokens { get; }

    /// <summary>N = h * w.</summary>
    public int PatchCount => GridHeight * GridWidth;

    public void Dispose()
    {
        foreach (var tensor in Blocks.Values) tensor.Dispose();
        Attention?.Dispose();
    }
}

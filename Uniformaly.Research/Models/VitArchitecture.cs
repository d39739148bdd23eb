using Uniformaly.Research.Checkpoints;

namespace Uniformaly.Research.Models;

/// <summary>
/// The shape of a DINO/iBOT Vision Transformer (docs/method.md section 2): width D, depth, heads, patch size
/// p and the side of the square patch grid its pos_embed was trained at. MLP ratio 4, LayerNorm
/// eps 1e-6 and qkv bias are fixed, as in DINO's vit_small/vit_base.
/// </summary>
public sealed record VitArchitecture(int EmbedDim, int Depth, int Heads, int PatchSize, int PosEmbedGrid)
{
    public const int MlpRatio = 4;
    public const double LayerNormEps = 1e-6;

    /// <summary>Width per head that <see cref="Infer"/> assumes (every DINO/iBOT ViT uses 64).</summary>
    public const int InferredHeadDim = 64;

    /// <summary>ViT-S: D = 384, 6 heads, depth 12; trained at 224 px.</summary>
    public static VitArchitecture Small(int patch) => new(384, 12, 6, patch, 224 / patch);

    /// <summary>ViT-B: D = 768, 12 heads, depth 12; trained at 224 px.</summary>
    public static VitArchitecture Base(int patch) => new(768, 12, 12, patch, 224 / patch);

    /// <summary>ViT-L: D = 1024, 16 heads, depth 24; trained at 224 px.</summary>
    public static VitArchitecture Large(int patch) => new(1024, 24, 16, patch, 224 / patch);

    public int HeadDim => EmbedDim / Heads;

    /// <summary>Tokens the checkpoint's pos_embed covers: grid^2 patches + CLS.</summary>
    public int PosEmbedTokens => PosEmbedGrid * PosEmbedGrid + 1;

    public override string ToString() =>
        $"ViT D={EmbedDim} depth={Depth} heads={Heads} patch={PatchSize} pos_embed grid={PosEmbedGrid}x{PosEmbedGrid}";

    /// <summary>Throws when the numbers cannot describe a ViT.</summary>
    public VitArchitecture Validate()
    {
        if (EmbedDim < 1 || Depth < 1 || Heads < 1 || PatchSize < 1 || PosEmbedGrid < 1)
            throw new ArgumentException($"{this}: every size must be positive");
        if (EmbedDim % Heads != 0)
            throw new ArgumentException($"{this}: the width {EmbedDim} is not divisible by {Heads} heads");
        return this;
    }

    /// <summary>Every parameter with its checkpoint name and shape, in DINO's state-dict order.</summary>
    public IReadOnlyDictionary<string, long[]> ParameterShapes()
    {
        long d = EmbedDim, hidden = MlpRatio * EmbedDim;
        var shapes = new OrderedDictionary<string, long[]>(StringComparer.Ordinal)
        {
            ["cls_token"] = [1, 1, d],
            ["pos_embed"] = [1, PosEmbedTokens, d],
            ["patch_embed.proj.weight"] = [d, 3, PatchSize, PatchSize],
            ["patch_embed.proj.bias"] = [d],
        };
        for (var i = 0; i < Depth; i++)
        {
            var b = $"blocks.{i}.";
            shapes[b + "norm1.weight"] = [d];
            shapes[b + "norm1.bias"] = [d];
            shapes[b + "attn.qkv.weight"] = [3 * d, d];
            shapes[b + "attn.qkv.bias"] = [3 * d];
            shapes[b + "attn.proj.weight"] = [d, d];
            shapes[b + "attn.proj.bias"] = [d];
            shapes[b + "norm2.weight"] = [d];
            shapes[b + "norm2.bias"] = [d];
            shapes[b + "mlp.fc1.weight"] = [hidden, d];
            shapes[b + "mlp.fc1.bias"] = [hidden];
            shapes[b + "mlp.fc2.weight"] = [d, hidden];
            shapes[b + "mlp.fc2.bias"] = [d];
        }
        shapes["norm.weight"] = [d];
        shapes["norm.bias"] = [d];
        return shapes;
    }

    /// <summary>
    /// The architecture a state dict describes: D from cls_token, p from the patch-embedding
    /// kernel, depth from the blocks.N keys, the grid from pos_embed, heads = D / 64. Only the
    /// shapes are read; <see cref="StateDict.MatchStrict"/> then checks every tensor.
    /// </summary>
    /// <exception cref="CheckpointException">a tensor the inference needs is missing or has an
    /// impossible shape; the message names the file.</exception>
    public static VitArchitecture Infer(StateDict stateDict)
    {
        var cls = Shape(stateDict, "cls_token", 3);
        var proj = Shape(stateDict, "patch_embed.proj.weight", 4);
        var pos = Shape(stateDict, "pos_embed", 3);
        var dim = cls[2];
        if (proj[1] != 3 || proj[2] != proj[3])
            throw new CheckpointException(stateDict.Source, $"patch_embed.proj.weight [{string.Join(", ", proj)}] is not a square RGB patch embedding");
        var grid = (long)Math.Round(Math.Sqrt(pos[1] - 1));
        if (pos[1] < 2 || grid * grid != pos[1] - 1)
            throw new CheckpointException(stateDict.Source, $"pos_embed has {pos[1]} tokens, not CLS + a square grid of patches");
        if (dim % InferredHeadDim != 0)
            throw new CheckpointException(stateDict.Source, $"width {dim} is not a multiple of {InferredHeadDim}, so the number of heads cannot be inferred");
        var depth = stateDict.Keys
            .Where(k => k.StartsWith("blocks.", StringComparison.Ordinal))
            .Select(k => int.TryParse(k.Split('.')[1], out var i) ? i + 1 : 0)
            .DefaultIfEmpty(0)
            .Max();
        if (depth == 0) throw new CheckpointException(stateDict.Source, "has no blocks.N.* tensors: not a ViT state dict");
        return new VitArchitecture((int)dim, depth, (int)(dim / InferredHeadDim), (int)proj[2], (int)grid).Validate();
    }

    private static long[] Shape(StateDict stateDict, string key, int rank)
    {
        if (!stateDict.TryGetValue(key, out var tensor))
            throw new CheckpointException(stateDict.Source,
                $"has no '{key}', so its ViT architecture cannot be inferred (found: {string.Join(", ", stateDict.Keys.Take(8))}{(stateDict.Count > 8 ? ", ..." : "")})");
        var shape = tensor.Shape;
        if (shape.Length != rank)
            throw new CheckpointException(stateDict.Source, $"'{key}' has shape [{string.Join(", ", shape)}], expected rank {rank}");
        return shape;
    }
}

using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>Which release's Vision Transformer (docs/method.md sections 2 and 2.1).</summary>
public enum VitFamily
{
    /// <summary>DINO and iBOT: learned pos_embed, pre-norm blocks, GELU MLP.</summary>
    Dino,

    /// <summary>DINOv2: DINO's blocks with LayerScale, a learned pos_embed on a 37x37 grid,
    /// optional register tokens, the SwiGLU FFN for ViT-g.</summary>
    Dinov2,

    /// <summary>DINOv3: RoPE instead of a pos_embed, 4 storage tokens, LayerScale, the masked
    /// qkv bias, LayerNorm eps 1e-5, the SwiGLU FFN for the "plus" models.</summary>
    Dinov3,
}

/// <summary>The feed-forward network of a block.</summary>
public enum FeedForward
{
    /// <summary>fc1 Linear(D, 4D), exact GELU, fc2 Linear(4D, D).</summary>
    Mlp,

    /// <summary>DINOv2's SwiGLUFFNFused: w12 Linear(D, 2h) split into (x1, x2), w3(SiLU(x1) * x2).</summary>
    SwiGluFused,

    /// <summary>DINOv3's SwiGLUFFN: w3(SiLU(w1 x) * w2 x).</summary>
    SwiGlu,
}

/// <summary>
/// The shape of a Vision Transformer (docs/method.md sections 2 and 2.1): width D, depth, heads, patch
/// size p and the side of the square patch grid its pos_embed was trained at (0 for DINOv3, which has
/// no pos_embed), plus the family's additions: register (DINOv3: storage) tokens between CLS and the
/// patches, and the FFN with its hidden width. MLP ratio 4 and qkv bias are fixed, as in every release.
/// </summary>
public sealed record VitArchitecture(int EmbedDim, int Depth, int Heads, int PatchSize, int PosEmbedGrid)
{
    public const int MlpRatio = 4;

    /// <summary>Width per head that <see cref="Infer"/> assumes for DINO and DINOv2 (every release uses
    /// 64); DINOv3's is read from its RoPE periods.</summary>
    public const int InferredHeadDim = 64;

    /// <summary>Where DINOv2's pos_embed was trained: 518 px, a 37x37 grid of 14-pixel patches.</summary>
    public const int Dinov2Grid = 37;

    /// <summary>DINOv3's RoPE base: periods = base^(4i / head dim), i &lt; head dim / 4.</summary>
    public const double RopeBase = 100;

    public VitFamily Family { get; init; } = VitFamily.Dino;

    /// <summary>DINOv2's register tokens or DINOv3's storage tokens, after CLS: 0 or 4.</summary>
    public int RegisterTokens { get; init; }

    public FeedForward FeedForward { get; init; } = FeedForward.Mlp;

    /// <summary>The SwiGLU hidden width h (unused by the GELU MLP, whose hidden width is 4D).</summary>
    public int SwiGluHidden { get; init; }

    /// <summary>ViT-S: D = 384, 6 heads, depth 12; trained at 224 px.</summary>
    public static VitArchitecture Small(int patch) => new(384, 12, 6, patch, 224 / patch);

    /// <summary>ViT-B: D = 768, 12 heads, depth 12; trained at 224 px.</summary>
    public static VitArchitecture Base(int patch) => new(768, 12, 12, patch, 224 / patch);

    /// <summary>ViT-L: D = 1024, 16 heads, depth 24; trained at 224 px.</summary>
    public static VitArchitecture Large(int patch) => new(1024, 24, 16, patch, 224 / patch);

    /// <summary>DINOv2's ViT-S/14, B/14, L/14 or g/14 (<paramref name="size"/> s, b, l or g), with 4
    /// registers or none, as facebookresearch/dinov2's hub builds them: patch 14, pos_embed grid 37x37,
    /// and for g D = 1536, depth 40, 24 heads and the fused SwiGLU of hidden width 4096.</summary>
    public static VitArchitecture Dinov2(char size, bool registers)
    {
        var (dim, depth, heads) = size switch
        {
            's' => (384, 12, 6),
            'b' => (768, 12, 12),
            'l' => (1024, 24, 16),
            'g' => (1536, 40, 24),
            _ => throw new ArgumentException($"DINOv2 has sizes s, b, l and g, not '{size}'", nameof(size)),
        };
        return new VitArchitecture(dim, depth, heads, 14, Dinov2Grid)
        {
            Family = VitFamily.Dinov2,
            RegisterTokens = registers ? 4 : 0,
            FeedForward = size == 'g' ? FeedForward.SwiGluFused : FeedForward.Mlp,
            SwiGluHidden = size == 'g' ? FusedSwiGluHidden(dim) : 0,
        };
    }

    /// <summary>DINOv3's ViT-S/16, S+/16, B/16, L/16 or H+/16 (<paramref name="size"/> s, s+, b, l,
    /// h+), as facebookresearch/dinov3's hub builds them: 4 storage tokens, and for the "plus" models
    /// the SwiGLU FFN with ratio 6 (hidden 2/3 of 6D, rounded up to a multiple of 8); H+ is D = 1280,
    /// depth 32, 20 heads.</summary>
    public static VitArchitecture Dinov3(string size)
    {
        var (dim, depth, heads) = size switch
        {
            "s" or "s+" => (384, 12, 6),
            "b" => (768, 12, 12),
            "l" => (1024, 24, 16),
            "h+" => (1280, 32, 20),
            _ => throw new ArgumentException($"DINOv3 has sizes s, s+, b, l and h+, not '{size}'", nameof(size)),
        };
        var plus = size.EndsWith('+');
        return new VitArchitecture(dim, depth, heads, 16, 0)
        {
            Family = VitFamily.Dinov3,
            RegisterTokens = 4,
            FeedForward = plus ? FeedForward.SwiGlu : FeedForward.Mlp,
            SwiGluHidden = plus ? AlignedSwiGluHidden(6 * dim) : 0,
        };
    }

    /// <summary>DINOv2's SwiGLUFFNFused: (int(4D x 2/3) + 7) // 8 x 8.</summary>
    private static int FusedSwiGluHidden(int dim) => ((int)(MlpRatio * dim * 2.0 / 3) + 7) / 8 * 8;

    /// <summary>DINOv3's SwiGLUFFN: d = int(hidden x 2/3), rounded up to a multiple of 8.</summary>
    private static int AlignedSwiGluHidden(int hidden)
    {
        var d = (int)(hidden * 2.0 / 3);
        return (d + 7) / 8 * 8;
    }

    public int HeadDim => EmbedDim / Heads;

    /// <summary>Tokens before the patches: CLS and the register or storage tokens.</summary>
    public int PrefixTokens => 1 + RegisterTokens;

    /// <summary>Tokens the checkpoint's pos_embed covers: grid^2 patches + CLS (registers have none).</summary>
    public int PosEmbedTokens => PosEmbedGrid * PosEmbedGrid + 1;

    /// <summary>DINOv2 and DINOv3 scale each residual branch by a learned LayerScale (ls1.gamma, ls2.gamma).</summary>
    public bool HasLayerScale => Family != VitFamily.Dino;

    /// <summary>DINOv3's hub builds every ViT with "layernormbf16", nn.LayerNorm(eps=1e-5); DINO and DINOv2 use 1e-6.</summary>
    public double LayerNormEps => Family == VitFamily.Dinov3 ? 1e-5 : 1e-6;

    /// <summary>DINOv3 encodes positions by RoPE; the others add a learned pos_embed.</summary>
    public bool HasRope => Family == VitFamily.Dinov3;

    /// <summary>The offset added to the target grid before the pos_embed's bicubic resize: DINO's 0.1,
    /// kept by DINOv2's hub for the plain models; 0 (the exact output size) for DINOv2 with registers.</summary>
    public double PosEmbedOffset => Family == VitFamily.Dinov2 && RegisterTokens > 0 ? 0 : 0.1;

    /// <summary>DINOv2's hub resizes the pos_embed with antialiasing for the register models only.</summary>
    public bool PosEmbedAntialias => Family == VitFamily.Dinov2 && RegisterTokens > 0;

    public override string ToString()
    {
        var family = Family switch { VitFamily.Dinov2 => "DINOv2 ", VitFamily.Dinov3 => "DINOv3 ", _ => "" };
        var tokens = RegisterTokens > 0 ? $" {RegisterTokens} {(Family == VitFamily.Dinov3 ? "storage" : "register")} tokens" : "";
        var ffn = FeedForward == FeedForward.Mlp ? "" : $" SwiGLU hidden={SwiGluHidden}";
        var position = HasRope ? "RoPE" : $"pos_embed grid={PosEmbedGrid}x{PosEmbedGrid}";
        return $"{family}ViT D={EmbedDim} depth={Depth} heads={Heads} patch={PatchSize} {position}{tokens}{ffn}";
    }

    /// <summary>Throws when the numbers cannot describe a ViT of its family.</summary>
    public VitArchitecture Validate()
    {
        if (EmbedDim < 1 || Depth < 1 || Heads < 1 || PatchSize < 1 || RegisterTokens < 0 || (HasRope ? PosEmbedGrid != 0 : PosEmbedGrid < 1))
            throw new ArgumentException($"{this}: every size must be positive (the pos_embed grid 0 exactly for RoPE)");
        if (EmbedDim % Heads != 0)
            throw new ArgumentException($"{this}: the width {EmbedDim} is not divisible by {Heads} heads");
        if (HasRope && HeadDim % 4 != 0)
            throw new ArgumentException($"{this}: RoPE needs a head width divisible by 4");
        if (FeedForward != FeedForward.Mlp && SwiGluHidden < 1)
            throw new ArgumentException($"{this}: the SwiGLU hidden width must be positive");
        if (Family == VitFamily.Dino && (RegisterTokens > 0 || FeedForward != FeedForward.Mlp))
            throw new ArgumentException($"{this}: DINO has neither register tokens nor a SwiGLU FFN");
        return this;
    }

    /// <summary>Every tensor of the official state dict with its name and shape, in the release's order
    /// (parameters and the persistent buffers DINOv3 saves: rope_embed.periods, attn.qkv.bias_mask).</summary>
    public IReadOnlyDictionary<string, long[]> ParameterShapes()
    {
        long d = EmbedDim, hidden = MlpRatio * EmbedDim, swiglu = SwiGluHidden;
        var shapes = new OrderedDictionary<string, long[]>(StringComparer.Ordinal) { ["cls_token"] = [1, 1, d] };
        if (!HasRope) shapes["pos_embed"] = [1, PosEmbedTokens, d];
        if (RegisterTokens > 0) shapes[Family == VitFamily.Dinov3 ? "storage_tokens" : "register_tokens"] = [1, RegisterTokens, d];
        if (Family != VitFamily.Dino) shapes["mask_token"] = [1, d];
        shapes["patch_embed.proj.weight"] = [d, 3, PatchSize, PatchSize];
        shapes["patch_embed.proj.bias"] = [d];
        if (HasRope) shapes["rope_embed.periods"] = [HeadDim / 4];
        for (var i = 0; i < Depth; i++)
        {
            var b = $"blocks.{i}.";
            shapes[b + "norm1.weight"] = [d];
            shapes[b + "norm1.bias"] = [d];
            shapes[b + "attn.qkv.weight"] = [3 * d, d];
            shapes[b + "attn.qkv.bias"] = [3 * d];
            if (HasRope) shapes[b + "attn.qkv.bias_mask"] = [3 * d];
            shapes[b + "attn.proj.weight"] = [d, d];
            shapes[b + "attn.proj.bias"] = [d];
            if (HasLayerScale) shapes[b + "ls1.gamma"] = [d];
            shapes[b + "norm2.weight"] = [d];
            shapes[b + "norm2.bias"] = [d];
            switch (FeedForward)
            {
                case FeedForward.Mlp:
                    shapes[b + "mlp.fc1.weight"] = [hidden, d];
                    shapes[b + "mlp.fc1.bias"] = [hidden];
                    shapes[b + "mlp.fc2.weight"] = [d, hidden];
                    shapes[b + "mlp.fc2.bias"] = [d];
                    break;
                case FeedForward.SwiGluFused:
                    shapes[b + "mlp.w12.weight"] = [2 * swiglu, d];
                    shapes[b + "mlp.w12.bias"] = [2 * swiglu];
                    shapes[b + "mlp.w3.weight"] = [d, swiglu];
                    shapes[b + "mlp.w3.bias"] = [d];
                    break;
                case FeedForward.SwiGlu:
                    shapes[b + "mlp.w1.weight"] = [swiglu, d];
                    shapes[b + "mlp.w1.bias"] = [swiglu];
                    shapes[b + "mlp.w2.weight"] = [swiglu, d];
                    shapes[b + "mlp.w2.bias"] = [swiglu];
                    shapes[b + "mlp.w3.weight"] = [d, swiglu];
                    shapes[b + "mlp.w3.bias"] = [d];
                    break;
            }
            if (HasLayerScale) shapes[b + "ls2.gamma"] = [d];
        }
        shapes["norm.weight"] = [d];
        shapes["norm.bias"] = [d];
        return shapes;
    }

    /// <summary>
    /// The architecture a state dict describes: the family from its tensors (rope_embed.periods:
    /// DINOv3; mask_token or LayerScale: DINOv2; else DINO), D from cls_token, p from the patch-embedding
    /// kernel, depth from the blocks.N keys, the grid from pos_embed, registers from register_tokens or
    /// storage_tokens, the FFN from its keys, heads = D / 64 (DINOv3: D / (4 x the RoPE periods)). Only
    /// the shapes are read; <see cref="StateDict.MatchStrict"/> then checks every tensor.
    /// </summary>
    /// <exception cref="CheckpointException">a tensor the inference needs is missing or has an
    /// impossible shape; the message names the file.</exception>
    public static VitArchitecture Infer(StateDict stateDict)
    {
        var family = stateDict.ContainsKey("rope_embed.periods") ? VitFamily.Dinov3
            : stateDict.ContainsKey("mask_token") || stateDict.ContainsKey("blocks.0.ls1.gamma") ? VitFamily.Dinov2
            : VitFamily.Dino;
        var cls = Shape(stateDict, "cls_token", 3);
        var proj = Shape(stateDict, "patch_embed.proj.weight", 4);
        var dim = cls[2];
        if (proj[1] != 3 || proj[2] != proj[3])
            throw new CheckpointException(stateDict.Source, $"patch_embed.proj.weight [{string.Join(", ", proj)}] is not a square RGB patch embedding");
        var grid = family == VitFamily.Dinov3 ? 0 : PosEmbedGridOf(stateDict);
        var headDim = family == VitFamily.Dinov3 ? 4 * Shape(stateDict, "rope_embed.periods", 1)[0] : InferredHeadDim;
        if (headDim < 1 || dim % headDim != 0)
            throw new CheckpointException(stateDict.Source, $"width {dim} is not a multiple of the head width {headDim}, so the number of heads cannot be inferred");
        var depth = stateDict.Keys
            .Where(k => k.StartsWith("blocks.", StringComparison.Ordinal))
            .Select(k => int.TryParse(k.Split('.')[1], out var i) ? i + 1 : 0)
            .DefaultIfEmpty(0)
            .Max();
        if (depth == 0) throw new CheckpointException(stateDict.Source, "has no blocks.N.* tensors: not a ViT state dict");
        var registers = stateDict.TryGetValue(family == VitFamily.Dinov3 ? "storage_tokens" : "register_tokens", out var tokens) && tokens.Shape.Length == 3
            ? (int)tokens.Shape[1] : 0;
        var (ffn, swiglu) = stateDict.TryGetValue("blocks.0.mlp.w12.weight", out var w12) ? (FeedForward.SwiGluFused, w12.Shape[0] / 2)
            : stateDict.TryGetValue("blocks.0.mlp.w1.weight", out var w1) ? (FeedForward.SwiGlu, w1.Shape[0])
            : (FeedForward.Mlp, 0L);
        var architecture = new VitArchitecture((int)dim, depth, (int)(dim / headDim), (int)proj[2], (int)grid)
        {
            Family = family,
            RegisterTokens = registers,
            FeedForward = ffn,
            SwiGluHidden = (int)swiglu,
        };
        try
        {
            return architecture.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CheckpointException(stateDict.Source, e.Message);
        }
    }

    private static long PosEmbedGridOf(StateDict stateDict)
    {
        var pos = Shape(stateDict, "pos_embed", 3);
        var grid = (long)Math.Round(Math.Sqrt(pos[1] - 1));
        if (pos[1] < 2 || grid * grid != pos[1] - 1)
            throw new CheckpointException(stateDict.Source, $"pos_embed has {pos[1]} tokens, not CLS + a square grid of patches");
        return grid;
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

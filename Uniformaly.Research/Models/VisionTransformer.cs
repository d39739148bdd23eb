using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>
/// The Vision Transformer of DINO/iBOT, DINOv2 and DINOv3 for feature extraction (docs/method.md
/// sections 2 and 2.1), float32 on one device. Parameter names are the checkpoint keys (cls_token,
/// pos_embed, register_tokens or storage_tokens, mask_token, patch_embed.proj.*, rope_embed.periods,
/// blocks.N.{norm1, attn.qkv, attn.proj, ls1, norm2, mlp.fc1/fc2 or mlp.w12/w3 or mlp.w1/w2/w3, ls2}.*,
/// norm.*); method names mirror the releases' (<see cref="PrepareTokens"/>, <see cref="InterpolatePosEncoding"/>).
/// mask_token is in the files for masked-image training and unused at inference (DINOv3 adds
/// 0 x mask_token to CLS, which changes nothing for finite weights).
/// </summary>
public sealed class VisionTransformer : IDisposable
{
    private static readonly string[] LinearWeights =
        ["attn.qkv.weight", "attn.proj.weight", "mlp.fc1.weight", "mlp.fc2.weight", "mlp.w12.weight", "mlp.w1.weight", "mlp.w2.weight", "mlp.w3.weight"];

    private readonly OrderedDictionary<string, Tensor> _parameters;
    private readonly Dictionary<string, Tensor> _bfloat16Weights;
    private readonly PatchEmbed _patchEmbed;
    private readonly RopePositionEmbedding? _ropeEmbed;
    private readonly Block[] _blocks;

    private VisionTransformer(VitArchitecture architecture, Device device, OrderedDictionary<string, Tensor> parameters,
        BackbonePrecision precision)
    {
        Architecture = architecture;
        Device = device;
        Precision = precision;
        _parameters = parameters;
        _bfloat16Weights = precision == BackbonePrecision.BFloat16
            ? parameters.Where(p => LinearWeights.Any(p.Key.EndsWith)).ToDictionary(p => p.Key, p => p.Value.To(DType.BFloat16).DetachFromDisposeScope())
            : [];
        // The blocks' linear layers see the bfloat16 copies where there are any.
        var blockParameters = new Dictionary<string, Tensor>(parameters);
        foreach (var (name, weight) in _bfloat16Weights) blockParameters[name] = weight;
        _patchEmbed = new PatchEmbed(parameters, architecture.PatchSize);
        _ropeEmbed = architecture.HasRope ? new RopePositionEmbedding(parameters) : null;
        _blocks = [.. Enumerable.Range(0, architecture.Depth).Select(i => new Block(blockParameters, i, architecture))];
    }

    public VitArchitecture Architecture { get; }

    public Device Device { get; }

    /// <summary>The arithmetic of the linear layers (<see cref="BackbonePrecision"/>).</summary>
    public BackbonePrecision Precision { get; }

    /// <summary>Every weight by checkpoint name, float32 on <see cref="Device"/>.</summary>
    public IReadOnlyDictionary<string, Tensor> Parameters => _parameters;

    private Tensor ClsToken => _parameters["cls_token"];

    private Tensor PosEmbed => _parameters["pos_embed"];

    /// <summary>DINOv2's register_tokens or DINOv3's storage_tokens [1, R, D]; null without.</summary>
    private Tensor? RegisterTokens => Architecture.RegisterTokens == 0 ? null
        : _parameters[Architecture.Family == VitFamily.Dinov3 ? "storage_tokens" : "register_tokens"];

    /// <summary>
    /// Builds the model from a state dict: the architecture is inferred from the tensor shapes
    /// unless given, every key and shape must match (<see cref="StateDict.MatchStrict"/>), and the
    /// weights are copied as float32 to <paramref name="device"/> (any stored dtype).
    /// </summary>
    /// <exception cref="CheckpointException">missing, unexpected or mis-shaped tensors, all listed.</exception>
    /// <exception cref="TorchException"><paramref name="device"/> is not available.</exception>
    public static VisionTransformer FromStateDict(StateDict stateDict, VitArchitecture? architecture = null, Device? device = null,
        BackbonePrecision precision = BackbonePrecision.Float32)
    {
        var target = device ?? Device.Cpu;
        TorchRuntime.EnsureAvailable(target);
        var arch = (architecture ?? VitArchitecture.Infer(stateDict)).Validate();
        var shapes = arch.ParameterShapes();
        stateDict.MatchStrict(shapes);
        var parameters = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var name in shapes.Keys)
            {
                using var scope = new DisposeScope();
                parameters.Add(name, stateDict[name].To(target, DType.Float32).Contiguous().DetachFromDisposeScope());
            }
            return new VisionTransformer(arch, target, parameters, precision);
        }
        catch
        {
            foreach (var tensor in parameters.Values) tensor.Dispose();
            throw;
        }
    }

    /// <summary>Reads a checkpoint file (torch.save zip/legacy or safetensors, see
    /// <see cref="CheckpointReader.Read"/>) and builds the model from it.</summary>
    public static VisionTransformer Load(string checkpointPath, VitArchitecture? architecture = null, Device? device = null,
        BackbonePrecision precision = BackbonePrecision.Float32)
    {
        using var stateDict = CheckpointReader.Read(checkpointPath);
        return FromStateDict(stateDict, architecture, device, precision);
    }

    /// <summary>A model with random weights drawn from libtorch's generator (normal, std 0.02;
    /// LayerNorms at identity; LayerScale 1, DINOv2's hub init; mask_token 0; DINOv3's RoPE periods and
    /// qkv bias mask as its init_weights sets them), for benchmarks and tests that need no trained weights.</summary>
    public static VisionTransformer Random(VitArchitecture architecture, Device? device = null,
        BackbonePrecision precision = BackbonePrecision.Float32)
    {
        var target = device ?? Device.Cpu;
        TorchRuntime.EnsureAvailable(target);
        using var stateDict = new StateDict("random weights");
        foreach (var (name, shape) in architecture.Validate().ParameterShapes())
        {
            using var scope = new DisposeScope();
            stateDict.Add(name, RandomValue(name, shape, architecture));
        }
        return FromStateDict(stateDict, architecture, target, precision);
    }

    private static Tensor RandomValue(string name, long[] shape, VitArchitecture architecture)
    {
        var isNorm = name.Split('.').SkipLast(1).Any(part => part.StartsWith("norm", StringComparison.Ordinal));
        if (isNorm) return Tensor.Full(shape, name.EndsWith("weight", StringComparison.Ordinal) ? 1 : 0);
        if (name.EndsWith("gamma", StringComparison.Ordinal)) return Tensor.Ones(shape);
        if (name == "mask_token") return Tensor.Zeros(shape);
        if (name == "rope_embed.periods")
        {
            // base^(2i / (head dim / 2)), i < head dim / 4 (RopePositionEmbedding._init_weights).
            var quarter = architecture.HeadDim / 4;
            using var exponents = Tensor.Arange(0, quarter, 1, DType.Float32) * 2 / (architecture.HeadDim / 2);
            using var bases = Tensor.Full([quarter], VitArchitecture.RopeBase);
            return bases.Pow(exponents);
        }
        if (name.EndsWith("bias_mask", StringComparison.Ordinal))
        {
            var third = shape[0] / 3;
            return Tensor.Cat([Tensor.Ones([third]), Tensor.Zeros([third]), Tensor.Ones([third])]);
        }
        return Tensor.Randn(shape) * 0.02;
    }

    /// <summary>The patch grid (h, w) = (H / p, W / p), rounded down as the strided conv does.</summary>
    public (int Height, int Width) Grid(long height, long width) =>
        ((int)(height / Architecture.PatchSize), (int)(width / Architecture.PatchSize));

    /// <summary>
    /// Runs the blocks up to the last one any request needs and returns the outputs of
    /// <paramref name="layers"/> (1-based, before the final norm, [B, T, D] with CLS first, then the
    /// register or storage tokens, then the patches) and
    /// the softmax attention of <paramref name="attentionLayer"/> in <paramref name="attentionForm"/>.
    /// </summary>
    /// <param name="images">[B, 3, H, W] float32 on <see cref="Device"/>, H and W at least p.</param>
    /// <param name="layers">1-based block numbers whose outputs are returned (may be empty).</param>
    /// <param name="attentionLayer">1-based block whose attention is returned, or null for none.</param>
    /// <param name="attentionForm">Full [B, heads, T, T] or the head-mean CLS row [B, T] (T = the
    /// prefix tokens, <see cref="VitArchitecture.PrefixTokens"/>, then the N patches).</param>
    public VitOutputs Forward(Tensor images, IReadOnlyCollection<int> layers, int? attentionLayer = null,
        AttentionForm attentionForm = AttentionForm.Full)
    {
        CheckLayers(layers, attentionLayer);
        CheckImages(images);
        var last = layers.Append(attentionLayer ?? 0).Max();
        var (h, w) = Grid(images.Size(2), images.Size(3));
        var blocks = new Dictionary<int, Tensor>();
        Tensor? attention = null;
        try
        {
            using var scope = new DisposeScope();
            var x = PrepareTokens(images);
            // DINOv3 computes the rope once per block from the same grid: once here.
            var rope = _ropeEmbed?.Forward(h, w);
            for (var layer = 1; layer <= last; layer++)
            {
                var (output, blockAttention) = _blocks[layer - 1].Forward(x, rope, withAttention: layer == attentionLayer);
                if (blockAttention is not null)
                {
                    attention = scope.MoveToOuter(Shape(blockAttention, attentionForm));
                    blockAttention.Dispose();
                }
                if (layers.Contains(layer)) blocks[layer] = scope.MoveToOuter(output);
                // Free what no later block needs, so memory stays at one block's activations.
                if (!blocks.ContainsValue(x)) x.Dispose();
                x = output;
            }
        }
        catch
        {
            foreach (var tensor in blocks.Values) tensor.Dispose();
            attention?.Dispose();
            throw;
        }
        return new VitOutputs(blocks, attentionLayer, attention, h, w, Architecture.PrefixTokens);
    }

    /// <summary>The releases' prepare_tokens: patch embedding, CLS prepended; DINO and DINOv2 add the
    /// (interpolated) pos_embed, then DINOv2 inserts its registers after CLS (they get no position);
    /// DINOv3 inserts its storage tokens after CLS and adds no position (RoPE acts in attention):
    /// [B, T, D], CLS, registers, patches.</summary>
    public Tensor PrepareTokens(Tensor images)
    {
        using var scope = new DisposeScope();
        var patches = _patchEmbed.Forward(images);
        var batch = images.Size(0);
        var cls = ClsToken.Expand(batch, -1, -1);
        var registers = RegisterTokens?.Expand(batch, -1, -1);
        if (Architecture.HasRope)
            return scope.MoveToOuter(Tensor.Cat(registers is null ? [cls, patches] : [cls, registers, patches], 1));
        var tokens = Tensor.Cat([cls, patches], 1) + InterpolatePosEncoding(patches.Size(1), images.Size(2), images.Size(3));
        if (registers is null) return scope.MoveToOuter(tokens);
        return scope.MoveToOuter(Tensor.Cat([tokens.Narrow(1, 0, 1), registers, tokens.Narrow(1, 1, patches.Size(1))], 1));
    }

    /// <summary>
    /// DINO's and DINOv2's interpolate_pos_encoding: pos_embed [1, N0+1, D] for an input of height x width.
    /// Kept as is only when the patch count equals the checkpoint's AND the input is square (their
    /// condition, so a 4x4 grid from a non-square input is still resampled); otherwise the patch
    /// part is resized bicubically (align_corners=False). With an offset (DINO; DINOv2 without
    /// registers: <see cref="VitArchitecture.PosEmbedOffset"/> 0.1) the resize is given the scale
    /// ((H/p + 0.1) / sqrt(N0), (W/p + 0.1) / sqrt(N0)), the offset DINO adds against floating-point
    /// error in the output size; without (DINOv2 with registers) it is given the size (H/p, W/p) and
    /// antialiased (<see cref="VitArchitecture.PosEmbedAntialias"/>), as DINOv2's hub builds those models.
    /// </summary>
    public Tensor InterpolatePosEncoding(long patchCount, long height, long width)
    {
        var trained = (long)Architecture.PosEmbedGrid * Architecture.PosEmbedGrid;
        if (patchCount == trained && height == width) return PosEmbed.Alias();
        using var scope = new DisposeScope();
        var d = Architecture.EmbedDim;
        var side = Architecture.PosEmbedGrid;
        var (gridH, gridW) = Grid(height, width);
        var grid = PosEmbed.Slice(1, 1, trained + 1).Reshape(1, side, side, d).Permute(0, 3, 1, 2);
        var resized = Architecture.PosEmbedOffset == 0
            ? Functional.Interpolate(grid, gridH, gridW, InterpolationMode.Bicubic, antialias: Architecture.PosEmbedAntialias)
            : ResizeWithOffset(grid, gridH, gridW);
        var patches = resized.Permute(0, 2, 3, 1).Reshape(1, -1, d);
        return scope.MoveToOuter(Tensor.Cat([PosEmbed.Slice(1, 0, 1), patches], 1));
    }

    private Tensor ResizeWithOffset(Tensor grid, long gridH, long gridW)
    {
        var side = Architecture.PosEmbedGrid;
        var (h0, w0) = (gridH + Architecture.PosEmbedOffset, gridW + Architecture.PosEmbedOffset);
        var (scaleH, scaleW) = (h0 / side, w0 / side);
        var (outH, outW) = ((long)Math.Floor(side * scaleH), (long)Math.Floor(side * scaleW));
        if (outH != gridH || outW != gridW)
            throw new InvalidOperationException($"pos_embed interpolation gave a {outH}x{outW} grid for a {gridH}x{gridW} input grid");
        return Functional.Interpolate(grid, outH, outW, InterpolationMode.Bicubic, antialias: Architecture.PosEmbedAntialias, scale: (scaleH, scaleW));
    }

    private static Tensor Shape(Tensor attention, AttentionForm form) => form switch
    {
        AttentionForm.ClsHeadMean => attention.Select(2, 0).Mean(1),
        _ => attention.Alias(),
    };

    private void CheckLayers(IReadOnlyCollection<int> layers, int? attentionLayer)
    {
        var depth = Architecture.Depth;
        var bad = layers.Where(l => l < 1 || l > depth).ToList();
        if (bad.Count > 0)
            throw new ArgumentOutOfRangeException(nameof(layers),
                $"layer(s) {string.Join(", ", bad)} outside 1..{depth}: the backbone has {depth} blocks, numbered from 1");
        if (attentionLayer is { } a && (a < 1 || a > depth))
            throw new ArgumentOutOfRangeException(nameof(attentionLayer),
                $"attention layer {a} outside 1..{depth}: the backbone has {depth} blocks, numbered from 1");
    }

    private void CheckImages(Tensor images)
    {
        var shape = images.Shape;
        if (shape.Length != 4 || shape[1] != 3)
            throw new ArgumentException($"images must be [B, 3, H, W], got {images}", nameof(images));
        if (shape[2] < Architecture.PatchSize || shape[3] < Architecture.PatchSize)
            throw new ArgumentException($"images {images} are smaller than one {Architecture.PatchSize}-pixel patch", nameof(images));
        if (images.DType != DType.Float32 || images.Device != Device)
            throw new ArgumentException($"images must be float32 on {Device} like the weights, got {images}", nameof(images));
    }

    public void Dispose()
    {
        foreach (var tensor in _parameters.Values.Concat(_bfloat16Weights.Values)) tensor.Dispose();
        _parameters.Clear();
        _bfloat16Weights.Clear();
    }
}

using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>
/// DINO/iBOT's Vision Transformer for feature extraction (docs/method.md section 2), float32 on one device.
/// Parameter names are the checkpoint keys (cls_token, pos_embed, patch_embed.proj.*,
/// blocks.N.{norm1, attn.qkv, attn.proj, norm2, mlp.fc1, mlp.fc2}.*, norm.*); method names mirror
/// DINO's (<see cref="PrepareTokens"/>, <see cref="InterpolatePosEncoding"/>).
/// </summary>
public sealed class VisionTransformer : IDisposable
{
    private static readonly string[] LinearWeights = ["attn.qkv.weight", "attn.proj.weight", "mlp.fc1.weight", "mlp.fc2.weight"];

    private readonly OrderedDictionary<string, Tensor> _parameters;
    private readonly Dictionary<string, Tensor> _bfloat16Weights;
    private readonly PatchEmbed _patchEmbed;
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
    /// LayerNorms at identity), for benchmarks and tests that need no trained weights.</summary>
    public static VisionTransformer Random(VitArchitecture architecture, Device? device = null,
        BackbonePrecision precision = BackbonePrecision.Float32)
    {
        var target = device ?? Device.Cpu;
        TorchRuntime.EnsureAvailable(target);
        using var stateDict = new StateDict("random weights");
        foreach (var (name, shape) in architecture.Validate().ParameterShapes())
        {
            var isNorm = name.Split('.').SkipLast(1).Any(part => part.StartsWith("norm", StringComparison.Ordinal));
            using var scope = new DisposeScope();
            var value = isNorm
                ? Tensor.Full(shape, name.EndsWith("weight", StringComparison.Ordinal) ? 1 : 0)
                : Tensor.Randn(shape) * 0.02;
            stateDict.Add(name, value);
        }
        return FromStateDict(stateDict, architecture, target, precision);
    }

    /// <summary>The patch grid (h, w) = (H / p, W / p), rounded down as the strided conv does.</summary>
    public (int Height, int Width) Grid(long height, long width) =>
        ((int)(height / Architecture.PatchSize), (int)(width / Architecture.PatchSize));

    /// <summary>
    /// Runs the blocks up to the last one any request needs and returns the outputs of
    /// <paramref name="layers"/> (1-based, before the final norm, [B, N+1, D] with CLS first) and
    /// the softmax attention of <paramref name="attentionLayer"/> in <paramref name="attentionForm"/>.
    /// </summary>
    /// <param name="images">[B, 3, H, W] float32 on <see cref="Device"/>, H and W at least p.</param>
    /// <param name="layers">1-based block numbers whose outputs are returned (may be empty).</param>
    /// <param name="attentionLayer">1-based block whose attention is returned, or null for none.</param>
    /// <param name="attentionForm">Full [B, heads, N+1, N+1] or the head-mean CLS row [B, N+1].</param>
    public VitOutputs Forward(Tensor images, IReadOnlyCollection<int> layers, int? attentionLayer = null,
        AttentionForm attentionForm = AttentionForm.Full)
    {
        CheckLayers(layers, attentionLayer);
        CheckImages(images);
        var last = layers.Append(attentionLayer ?? 0).Max();
        var blocks = new Dictionary<int, Tensor>();
        Tensor? attention = null;
        try
        {
            using var scope = new DisposeScope();
            var x = PrepareTokens(images);
            for (var layer = 1; layer <= last; layer++)
            {
                var (output, blockAttention) = _blocks[layer - 1].Forward(x, withAttention: layer == attentionLayer);
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
        var (h, w) = Grid(images.Size(2), images.Size(3));
        return new VitOutputs(blocks, attentionLayer, attention, h, w);
    }

    /// <summary>DINO's prepare_tokens: patch embedding, CLS prepended, pos_embed added: [B, N+1, D].</summary>
    public Tensor PrepareTokens(Tensor images)
    {
        using var scope = new DisposeScope();
        var patches = _patchEmbed.Forward(images);
        var cls = ClsToken.Expand(images.Size(0), -1, -1);
        var tokens = Tensor.Cat([cls, patches], 1);
        var pos = InterpolatePosEncoding(patches.Size(1), images.Size(2), images.Size(3));
        return scope.MoveToOuter(tokens + pos);
    }

    /// <summary>
    /// DINO's interpolate_pos_encoding: pos_embed [1, N0+1, D] for an input of height x width.
    /// Kept as is only when the patch count equals the checkpoint's AND the input is square (DINO's
    /// condition, so a 4x4 grid from a non-square input is still resampled); otherwise the patch
    /// part is resized bicubically (align_corners=False) with scale ((H/p + 0.1) / sqrt(N0),
    /// (W/p + 0.1) / sqrt(N0)), the offset DINO adds against floating-point error in the output size.
    /// </summary>
    public Tensor InterpolatePosEncoding(long patchCount, long height, long width)
    {
        var trained = (long)Architecture.PosEmbedGrid * Architecture.PosEmbedGrid;
        if (patchCount == trained && height == width) return PosEmbed.Alias();
        using var scope = new DisposeScope();
        var d = Architecture.EmbedDim;
        var side = Architecture.PosEmbedGrid;
        var h0 = height / Architecture.PatchSize + 0.1;
        var w0 = width / Architecture.PatchSize + 0.1;
        var (scaleH, scaleW) = (h0 / Math.Sqrt(trained), w0 / Math.Sqrt(trained));
        var (outH, outW) = ((long)Math.Floor(side * scaleH), (long)Math.Floor(side * scaleW));
        if (outH != (long)h0 || outW != (long)w0)
            throw new InvalidOperationException($"pos_embed interpolation gave a {outH}x{outW} grid for a {(long)h0}x{(long)w0} input grid");
        var grid = PosEmbed.Slice(1, 1, trained + 1).Reshape(1, side, side, d).Permute(0, 3, 1, 2);
        var resized = Functional.Interpolate(grid, outH, outW, InterpolationMode.Bicubic, scale: (scaleH, scaleW));
        var patches = resized.Permute(0, 2, 3, 1).Reshape(1, -1, d);
        return scope.MoveToOuter(Tensor.Cat([PosEmbed.Slice(1, 0, 1), patches], 1));
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

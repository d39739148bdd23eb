using System.Diagnostics;
using System.Text.Json;
using Uniformaly.Research.Models;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Benchmarks;

/// <summary>What to time: a random-weight ViT of <paramref name="Arch"/> (vit_small, vit_base,
/// vit_large with <paramref name="Patch"/>, or a DINOv2 or DINOv3 backbone's name such as dinov2_vits14_reg,
/// whose patch is its own: <see cref="VitForwardMicrobenchmark.Archs"/>) on a [Batch, 3, ImageSize, ImageSize] standard-normal
/// batch, running every block (as tools/bench/vit_forward.py's reference does); Warmup untimed
/// then Repeats timed forwards, its linear layers in <paramref name="Precision"/>. Threads null keeps
/// the runtime's setting; OneDnnGemm null keeps <see cref="TorchRuntime.UseOneDnnGemm"/>'s default. Beside each forward the same process times
/// sgemm, C = A B^T, through each engine on the model's linear-layer shapes (M = Batch x tokens)
/// and on a <paramref name="SquareSide"/>-sided square.</summary>
public sealed record VitBenchmarkOptions(
    string Arch = "vit_base",
    int Patch = 16,
    int ImageSize = 224,
    int Batch = 1,
    string Device = "cpu",
    int Warmup = 1,
    int Repeats = 5,
    int? Threads = null,
    ulong Seed = 0,
    bool? OneDnnGemm = null,
    int SquareSide = 2048,
    BackbonePrecision Precision = BackbonePrecision.Float32);

/// <summary>
/// The measurement: median seconds per image of a full forward (every block's output), its GEMM
/// rate (<see cref="VitForwardMicrobenchmark.ForwardFlops"/> per second), the median sgemm rates
/// measured in the same run by engine ("libtorch": at::mm, the BLAS libtorch was built with;
/// "onednn": oneDNN's sgemm where libtorch loaded it), and the forward's fraction of the best of them.
/// </summary>
public sealed record VitBenchmarkResult(
    string Implementation,
    string Device,
    string Arch,
    int Patch,
    int ImageSize,
    int Batch,
    int Threads,
    int Repeats,
    double SecondsPerImage,
    string Precision,
    string GemmEngine,
    double ForwardGflops,
    IReadOnlyDictionary<string, double> SgemmModelShapesGflops,
    int SquareSide,
    IReadOnlyDictionary<string, double> SgemmSquareGflops,
    double FractionOfBestSgemm)
{
    /// <summary>One JSON object with snake_case keys, like tools/bench/vit_forward.py prints.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
}

/// <summary>Times <see cref="VisionTransformer.Forward"/> with random weights (for `uniformaly bench vit`).</summary>
public static class VitForwardMicrobenchmark
{
    private const string LibtorchEngine = "libtorch";
    private const string OneDnnEngine = "onednn";

    /// <summary>The --arch names, as tools/bench/vit_forward.py's: DINO's sizes (any --patch), then
    /// the DINOv2 and DINOv3 backbones (their own patch).</summary>
    public static IReadOnlyList<string> Archs { get; } =
        ["vit_small", "vit_base", "vit_large", .. Backbones.All.Select(b => b.Name).Where(IsNamedBackbone)];

    /// <summary>Whether <paramref name="arch"/> is a DINOv2 or DINOv3 backbone, whose patch is fixed.</summary>
    public static bool IsNamedBackbone(string arch) => arch.StartsWith("dinov", StringComparison.Ordinal);

    /// <summary>The architecture named as in tools/bench/vit_forward.py's --arch; <paramref name="patch"/>
    /// applies to the vit_* sizes only.</summary>
    /// <exception cref="ArgumentException">unknown name.</exception>
    public static VitArchitecture Architecture(string arch, int patch) => arch switch
    {
        "vit_small" => VitArchitecture.Small(patch),
        "vit_base" => VitArchitecture.Base(patch),
        "vit_large" => VitArchitecture.Large(patch),
        _ when IsNamedBackbone(arch) && Archs.Contains(arch) => Backbones.Get(arch).Architecture,
        _ => throw new ArgumentException($"--arch must be one of {string.Join(", ", Archs)}, got '{arch}'", nameof(arch)),
    };

    /// <summary>GEMM floating-point operations (2 per multiply-add) of one square image's forward
    /// through <paramref name="blocks"/> blocks: the patch embedding, and per block over all T tokens
    /// (CLS, registers, patches) qkv, q k^T, attention x v, proj and the FFN's linear layers. Elementwise
    /// work (LayerNorm, softmax, GELU, SiLU, RoPE, LayerScale, adds) is not counted.</summary>
    public static double ForwardFlops(VitArchitecture architecture, int imageSize, int blocks)
    {
        double d = architecture.EmbedDim, p = architecture.PatchSize;
        var patches = Math.Pow(imageSize / architecture.PatchSize, 2);
        var t = patches + architecture.PrefixTokens;
        var embed = 2 * patches * 3 * p * p * d;
        var linears = 2 * t * (4 * d * d + FeedForwardMultiplyAdds(architecture));
        var attention = 2 * 2 * t * t * d;
        return embed + blocks * (linears + attention);
    }

    /// <summary>Multiply-adds per token of the FFN's linear layers.</summary>
    private static double FeedForwardMultiplyAdds(VitArchitecture architecture)
    {
        double d = architecture.EmbedDim, h = architecture.SwiGluHidden;
        return architecture.FeedForward switch
        {
            FeedForward.SwiGluFused => 3 * d * h, // w12: d -> 2h, w3: h -> d
            FeedForward.SwiGlu => 3 * d * h, // w1, w2: d -> h, w3: h -> d
            _ => 2 * d * VitArchitecture.MlpRatio * d,
        };
    }

    /// <summary>The linear layers' GEMM shapes (M, K, N) for M rows.</summary>
    private static IReadOnlyList<(long M, long K, long N)> LinearShapes(VitArchitecture architecture, long m)
    {
        long d = architecture.EmbedDim, h = architecture.SwiGluHidden, hidden = VitArchitecture.MlpRatio * d;
        IEnumerable<(long, long, long)> ffn = architecture.FeedForward switch
        {
            FeedForward.SwiGluFused => [(m, d, 2 * h), (m, h, d)],
            FeedForward.SwiGlu => [(m, d, h), (m, d, h), (m, h, d)],
            _ => [(m, d, hidden), (m, hidden, d)],
        };
        return [(m, d, 3 * d), (m, d, d), .. ffn];
    }

    public static VitBenchmarkResult Run(VitBenchmarkOptions options)
    {
        Validate(options);
        var device = Torch.Device.Parse(options.Device);
        TorchRuntime.EnsureAvailable(device);
        if (options.Threads is { } threads) TorchRuntime.NumThreads = threads;
        var defaultEngine = TorchRuntime.UseOneDnnGemm;
        try
        {
            return Measure(options, device, options.OneDnnGemm ?? defaultEngine);
        }
        finally
        {
            TorchRuntime.UseOneDnnGemm = defaultEngine;
        }
    }

    private static VitBenchmarkResult Measure(VitBenchmarkOptions options, Device device, bool oneDnn)
    {
        TorchRuntime.ManualSeed(options.Seed);
        using var model = VisionTransformer.Random(Architecture(options.Arch, options.Patch), device, options.Precision);
        var patch = model.Architecture.PatchSize;
        using var scope = new DisposeScope();
        var images = Tensor.Randn([options.Batch, 3, options.ImageSize, options.ImageSize]).To(device);
        int[] blocks = [.. Enumerable.Range(1, model.Architecture.Depth)];
        // oneDNN is measured only on the CPU, where the bridge uses it.
        string[] engines = TorchRuntime.OneDnnGemmAvailable && !device.IsCuda ? [LibtorchEngine, OneDnnEngine] : [LibtorchEngine];
        var m = (long)options.Batch * ((long)Math.Pow(options.ImageSize / patch, 2) + model.Architecture.PrefixTokens);
        var modelShapes = new Sgemm(device, LinearShapes(model.Architecture, m));
        var square = new Sgemm(device, [(options.SquareSide, options.SquareSide, options.SquareSide)]);
        double Forward()
        {
            TorchRuntime.UseOneDnnGemm = oneDnn;
            return Time(() => model.Forward(images, blocks).Dispose(), device);
        }
        var forward = new List<double>();
        var shapeTimes = engines.ToDictionary(e => e, _ => new List<double>());
        var squareTimes = engines.ToDictionary(e => e, _ => new List<double>());
        for (var i = 0; i < options.Warmup + options.Repeats; i++)
        {
            // Interleaved, so that the forward and the sgemm rates share the machine's conditions.
            var f = Forward();
            var rates = engines.Select(e => (e, Shapes: modelShapes.Seconds(e == OneDnnEngine), Square: square.Seconds(e == OneDnnEngine))).ToList();
            if (i < options.Warmup) continue;
            forward.Add(f);
            foreach (var (e, shapes, sq) in rates)
            {
                shapeTimes[e].Add(shapes);
                squareTimes[e].Add(sq);
            }
        }
        var seconds = Median(forward);
        var forwardGflops = ForwardFlops(model.Architecture, options.ImageSize, blocks.Length) * options.Batch / seconds / 1e9;
        var shapeRates = engines.ToDictionary(e => e, e => modelShapes.Flops / Median(shapeTimes[e]) / 1e9);
        var squareRates = engines.ToDictionary(e => e, e => square.Flops / Median(squareTimes[e]) / 1e9);
        var best = shapeRates.Values.Concat(squareRates.Values).Max();
        return new VitBenchmarkResult($"uniformaly ViT forward (libtorch {TorchRuntime.Version})", device.ToString(), options.Arch,
            patch, options.ImageSize, options.Batch, TorchRuntime.NumThreads, options.Repeats, seconds / options.Batch,
            SettingTable.BackbonePrecision.Format(options.Precision), oneDnn && engines.Contains(OneDnnEngine) ? OneDnnEngine : LibtorchEngine, forwardGflops, shapeRates, options.SquareSide,
            squareRates, forwardGflops / best);
    }

    /// <summary>A set of sgemm products C = A B^T ([M, K] x [N, K]^T, random operands) timed together.</summary>
    private sealed class Sgemm(Device device, IReadOnlyList<(long M, long K, long N)> shapes)
    {
        private readonly List<(Tensor A, Tensor B)> _operands =
            [.. shapes.Select(s => (Tensor.Randn([s.M, s.K]).To(device), Tensor.Randn([s.N, s.K]).To(device)))];

        public double Flops { get; } = shapes.Sum(s => 2.0 * s.M * s.K * s.N);

        /// <summary>Seconds for all the products through one engine (a bias-free Linear is one sgemm call).</summary>
        public double Seconds(bool oneDnn)
        {
            TorchRuntime.UseOneDnnGemm = oneDnn;
            return Time(() =>
            {
                foreach (var (a, b) in _operands) Functional.Linear(a, b).Dispose();
            }, device);
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Checks the options as `uniformaly bench vit` spells them.</summary>
    /// <exception cref="ArgumentException">a value out of range; the message names the option.</exception>
    private static void Validate(VitBenchmarkOptions options)
    {
        // The patch sizes of the DINO/iBOT backbones the detector uses; others have no checkpoint to compare with.
        if (!IsNamedBackbone(options.Arch) && options.Patch is not (8 or 16)) throw new ArgumentException($"--patch must be 8 or 16, got {options.Patch}");
        var patch = Architecture(options.Arch, options.Patch).PatchSize;
        if (options.ImageSize < patch || options.ImageSize % patch != 0)
            throw new ArgumentException($"--imagesize must be a positive multiple of the patch {patch}, got {options.ImageSize}");
        if (options.Batch < 1) throw new ArgumentException($"--batch must be at least 1, got {options.Batch}");
        if (options.Repeats < 1) throw new ArgumentException($"--repeats must be at least 1, got {options.Repeats}");
        if (options.Warmup < 0) throw new ArgumentException($"--warmup must not be negative, got {options.Warmup}");
        if (options.SquareSide < 1) throw new ArgumentException($"--square must be at least 1, got {options.SquareSide}");
        if (options.OneDnnGemm == true && !TorchRuntime.OneDnnGemmAvailable)
            throw new ArgumentException("--gemm onednn: this libtorch did not load oneDNN (use --gemm libtorch)");
    }

    /// <summary>Seconds for <paramref name="work"/>, synchronized on CUDA so the work is counted.</summary>
    private static double Time(Action work, Device device)
    {
        var watch = Stopwatch.StartNew();
        work();
        if (device.IsCuda) TorchRuntime.CudaSynchronize(device.Index);
        return watch.Elapsed.TotalSeconds;
    }
}

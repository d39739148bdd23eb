using System.Diagnostics;
using System.Text.Json;
using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Benchmarks;

/// <summary>What to time: a random-weight ViT of <paramref name="Arch"/> (vit_small, vit_base,
/// vit_large) and <paramref name="Patch"/> on a [Batch, 3, ImageSize, ImageSize] standard-normal
/// batch, running every block (as tools/bench/vit_forward.py's reference does); Warmup untimed
/// then Repeats timed forwards. Threads null keeps the runtime's setting.</summary>
public sealed record VitBenchmarkOptions(
    string Arch = "vit_base",
    int Patch = 16,
    int ImageSize = 224,
    int Batch = 1,
    string Device = "cpu",
    int Warmup = 1,
    int Repeats = 5,
    int? Threads = null,
    ulong Seed = 0);

/// <summary>The measurement: median seconds per image of a full forward (every block's output and attention).</summary>
public sealed record VitBenchmarkResult(
    string Implementation,
    string Device,
    string Arch,
    int Patch,
    int ImageSize,
    int Batch,
    int Threads,
    int Repeats,
    double SecondsPerImage)
{
    /// <summary>One JSON object with snake_case keys, like tools/bench/vit_forward.py prints.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
}

/// <summary>Times <see cref="VisionTransformer.Forward"/> with random weights (for `uniformaly bench vit`).</summary>
public static class VitForwardMicrobenchmark
{
    /// <summary>The architecture named as in tools/bench/vit_forward.py's --arch.</summary>
    /// <exception cref="ArgumentException">unknown name.</exception>
    public static VitArchitecture Architecture(string arch, int patch) => arch switch
    {
        "vit_small" => VitArchitecture.Small(patch),
        "vit_base" => VitArchitecture.Base(patch),
        "vit_large" => VitArchitecture.Large(patch),
        _ => throw new ArgumentException($"--arch must be vit_small, vit_base or vit_large, got '{arch}'", nameof(arch)),
    };

    public static VitBenchmarkResult Run(VitBenchmarkOptions options)
    {
        Validate(options);
        var device = Torch.Device.Parse(options.Device);
        TorchRuntime.EnsureAvailable(device);
        if (options.Threads is { } threads) TorchRuntime.NumThreads = threads;
        TorchRuntime.ManualSeed(options.Seed);
        using var model = VisionTransformer.Random(Architecture(options.Arch, options.Patch), device);
        using var scope = new DisposeScope();
        var images = Tensor.Randn([options.Batch, 3, options.ImageSize, options.ImageSize]).To(device);
        int[] blocks = [.. Enumerable.Range(1, model.Architecture.Depth)];
        for (var i = 0; i < options.Warmup; i++) Time(model, images, blocks, device);
        var times = Enumerable.Range(0, options.Repeats).Select(_ => Time(model, images, blocks, device)).Order().ToArray();
        var median = times.Length % 2 == 1 ? times[times.Length / 2] : (times[times.Length / 2 - 1] + times[times.Length / 2]) / 2;
        return new VitBenchmarkResult($"uniformaly ViT forward (libtorch {TorchRuntime.Version})", device.ToString(), options.Arch,
            options.Patch, options.ImageSize, options.Batch, TorchRuntime.NumThreads, options.Repeats, median / options.Batch);
    }

    /// <summary>Checks the options as `uniformaly bench vit` spells them.</summary>
    /// <exception cref="ArgumentException">a value out of range; the message names the option.</exception>
    private static void Validate(VitBenchmarkOptions options)
    {
        // The patch sizes of the DINO/iBOT backbones the detector uses; others have no checkpoint to compare with.
        if (options.Patch is not (8 or 16)) throw new ArgumentException($"--patch must be 8 or 16, got {options.Patch}");
        if (options.ImageSize < options.Patch || options.ImageSize % options.Patch != 0)
            throw new ArgumentException($"--imagesize must be a positive multiple of --patch {options.Patch}, got {options.ImageSize}");
        if (options.Batch < 1) throw new ArgumentException($"--batch must be at least 1, got {options.Batch}");
        if (options.Repeats < 1) throw new ArgumentException($"--repeats must be at least 1, got {options.Repeats}");
        if (options.Warmup < 0) throw new ArgumentException($"--warmup must not be negative, got {options.Warmup}");
    }

    /// <summary>Seconds for one forward through every block, synchronized on CUDA so the work is counted.</summary>
    private static double Time(VisionTransformer model, Tensor images, int[] blocks, Device device)
    {
        var watch = Stopwatch.StartNew();
        using (model.Forward(images, blocks))
            if (device.IsCuda) TorchRuntime.CudaSynchronize(device.Index);
        return watch.Elapsed.TotalSeconds;
    }
}

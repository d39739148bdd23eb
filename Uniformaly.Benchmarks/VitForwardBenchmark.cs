using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Filters;
using Uniformaly.Research.Benchmarks;
using Uniformaly.Research.Models;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;

namespace Uniformaly.Benchmarks;

/// <summary>
/// ViT-S/16, ViT-B/16 and ViT-B/8 forward of a batch of 1 or 32 random 224x224 images with random
/// weights, on cpu and (where libtorch has CUDA) cuda, against PyTorch's eager forward of the same
/// model (tools/bench/vit_forward.py's reference ViT, served by reference_server.py on the same
/// device) in the same run with the same threads: <c>make bench ARGS="--filter *VitForward*"</c>.
/// Batch 32 of ViT-B/8 on a CPU (32 x 785 tokens a forward, about a minute per call on a few cores)
/// is left out unless UNIFORMALY_BENCH_HEAVY=1 (see <see cref="VitForwardConfig"/>); docs/benchmarks.md
/// lists narrower filters. Standalone reference figure:
/// <c>/usr/bin/python3 tools/bench/vit_forward.py --arch vit_base --patch 16 --batch 32 --threads N</c>.
/// </summary>
[Config(typeof(VitForwardConfig))]
public class VitForwardBenchmark
{
    private static readonly int[] FeatureLayers = SettingTable.Layers.Default;

    private PythonReference _reference = null!;
    private VisionTransformer _model = null!;
    private Tensor _images = null!;
    private int[] _allBlocks = null!;
    private Device _device;

    [ParamsSource(nameof(Devices))]
    public string Device { get; set; } = "cpu";

    /// <summary>"arch/patch" as in `uniformaly bench vit --arch --patch`.</summary>
    [Params("vit_small/16", "vit_base/16", "vit_base/8")]
    public string Model { get; set; } = "vit_base/16";

    [Params(1, 32)]
    public int Batch { get; set; }

    public static readonly int ImageSize = SettingTable.ImageSize.Default;

    public static IEnumerable<string> Devices() => BenchmarkRuntime.Devices();

    /// <summary>(arch, patch) of <paramref name="model"/> ("vit_base/8").</summary>
    public static (string Arch, int Patch) ParseModel(string model)
    {
        var parts = model.Split('/');
        return (parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkRuntime.Prepare();
        _device = Research.Torch.Device.Parse(Device);
        var (arch, patch) = ParseModel(Model);
        _model = VisionTransformer.Random(VitForwardMicrobenchmark.Architecture(arch, patch), _device);
        _allBlocks = [.. Enumerable.Range(1, _model.Architecture.Depth)];
        _images = Tensor.Randn([Batch, 3, ImageSize, ImageSize]).To(_device);
        AllBlocksForward(); // warm-up: first-call allocations and kernel selection
        _reference = PythonReference.Start("vit_forward", BenchmarkRuntime.Threads, new Dictionary<string, object>
        {
            ["arch"] = arch, ["patch"] = patch, ["imagesize"] = ImageSize, ["batch"] = Batch, ["device"] = Device,
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reference.Dispose();
        _images.Dispose();
        _model.Dispose();
    }

    [Benchmark(Baseline = true, Description = "PyTorch eager, every block")]
    public void PyTorch() => _reference.Run(1);

    [Benchmark(Description = "Uniformaly, every block")]
    public void AllBlocksForward()
    {
        _model.Forward(_images, _allBlocks).Dispose();
        BenchmarkRuntime.Synchronize(_device);
    }

    [Benchmark(Description = "Uniformaly, layers 3-10 + CLS attention 10 (stops at block 10)")]
    public void FeatureForward()
    {
        _model.Forward(_images, FeatureLayers, 10, AttentionForm.ClsHeadMean).Dispose();
        BenchmarkRuntime.Synchronize(_device);
    }
}

/// <summary><see cref="InProcessConfig"/> (long-running: batch 32 on a CPU takes minutes per
/// benchmark) without ViT-B/8 at batch 32 on the CPU unless UNIFORMALY_BENCH_HEAVY=1: with 18 calls
/// per method that case alone takes most of an hour on a few cores, and the batch-1 B/8 and
/// batch-32 B/16 cases already cover its kernels.</summary>
public sealed class VitForwardConfig : InProcessConfig
{
    public VitForwardConfig() : base(LongRunning)
    {
        if (Environment.GetEnvironmentVariable("UNIFORMALY_BENCH_HEAVY") == "1") return;
        AddFilter(new SimpleFilter(c => !((string)c.Parameters[nameof(VitForwardBenchmark.Device)] == "cpu"
            && (string)c.Parameters[nameof(VitForwardBenchmark.Model)] == "vit_base/8"
            && (int)c.Parameters[nameof(VitForwardBenchmark.Batch)] > 1)));
    }
}

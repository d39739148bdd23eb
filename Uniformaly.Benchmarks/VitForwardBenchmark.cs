using BenchmarkDotNet.Attributes;
using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;

namespace Uniformaly.Benchmarks;

/// <summary>
/// ViT-B/16 and ViT-B/8 forward of one 224x224 image with random weights, against Debian torch's
/// eager forward of the same model (tools/bench/vit_forward.py's reference ViT, served by
/// reference_server.py) in the same run with the same threads:
/// <c>make bench ARGS="--filter *VitForward*"</c>. Standalone reference figure:
/// <c>/usr/bin/python3 tools/bench/vit_forward.py --arch vit_base --patch 16 --threads N</c>.
/// </summary>
[Config(typeof(InProcessConfig))]
public class VitForwardBenchmark
{
    private static readonly int[] AllBlocks = [.. Enumerable.Range(1, 12)];
    private static readonly int[] FeatureLayers = [3, 4, 5, 6, 7, 8, 9, 10];

    private PythonReference _reference = null!;
    private VisionTransformer _model = null!;
    private Tensor _images = null!;

    [Params(16, 8)]
    public int Patch { get; set; }

    [Params(224)]
    public int ImageSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkRuntime.Prepare();
        _model = VisionTransformer.Random(VitArchitecture.Base(Patch));
        _images = Tensor.Randn([1, 3, ImageSize, ImageSize]);
        _model.Forward(_images, AllBlocks).Dispose(); // warm-up: first-call allocations
        _reference = PythonReference.Start("vit_forward", BenchmarkRuntime.Threads, new Dictionary<string, object>
        {
            ["arch"] = "vit_base", ["patch"] = Patch, ["imagesize"] = ImageSize, ["batch"] = 1,
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reference.Dispose();
        _images.Dispose();
        _model.Dispose();
    }

    [Benchmark(Baseline = true, Description = "PyTorch eager, 12 blocks")]
    public void PyTorch() => _reference.Run(1);

    [Benchmark(Description = "Uniformaly, 12 blocks")]
    public void AllBlocksForward() => _model.Forward(_images, AllBlocks).Dispose();

    [Benchmark(Description = "Uniformaly, layers 3-10 + CLS attention 10 (stops at block 10)")]
    public void FeatureForward() => _model.Forward(_images, FeatureLayers, 10, AttentionForm.ClsHeadMean).Dispose();
}

using BenchmarkDotNet.Attributes;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Research.Imaging;

namespace Uniformaly.Benchmarks;

/// <summary>
/// Decode and preprocess (Resize 256 + CenterCrop 224, PIL's bilinear resampler) of the demo's
/// images: 200 synthetic 256x256 images, saved by PIL as PNG and as JPEG (quality 90), read one
/// after the other on one thread, against PIL + torchvision doing the same in the same run
/// (tools/bench/reference_server.py, kind "decode"). Times are per image.
/// </summary>
[Config(typeof(InProcessConfig))]
public class ImageDecodeBenchmark
{
    private const int Images = 200;

    private readonly ImagePreprocessor _preprocessor = new(256, 224);
    private string _folder = null!;
    private string[] _files = null!;
    private PythonReference _reference = null!;

    [Params("png", "jpeg")]
    public string Format { get; set; } = "png";

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("uniformaly-decode-").FullName;
        var source = Path.Combine(_folder, "synth");
        SyntheticDataset.Write(source, new SyntheticDatasetOptions { TrainImages = Images / 2, TestGoodImages = 0, TestImagesPerDefect = 0, Size = 256 });
        var files = Path.Combine(_folder, "files");
        _reference = PythonReference.Start("decode", 1, new Dictionary<string, object> { ["source"] = source, ["out"] = files, ["resize"] = 256, ["crop"] = 224 });
        _files = Directory.GetFiles(files, Format == "png" ? "*.png" : "*.jpg").Order(StringComparer.Ordinal).ToArray();
        if (_files.Length != Images) throw new InvalidOperationException($"expected {Images} {Format} files in {files}, found {_files.Length}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _reference.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Images, Description = "PIL open+convert, torchvision Resize+CenterCrop")]
    public void Pil() => _reference.Run(1, Format);

    [Benchmark(OperationsPerInvoke = Images, Description = "ImageDecoder.Load + ResizeAndCrop")]
    public void Uniformaly()
    {
        foreach (var file in _files) _preprocessor.ResizeAndCrop(ImageDecoder.Load(file));
    }
}

using System.CommandLine;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Features;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;

namespace Uniformaly.Experiments.Commands;

/// <summary>
/// <c>uniformaly features --image FILE (--backbone NAME | --checkpoint FILE) --out FILE.safetensors</c>:
/// every intermediate of one image up to Back Patch Masking (SPEC sections 1, 2, 4, 5), for
/// inspection and for checking against another implementation.
/// </summary>
public static class FeaturesCommand
{
    public static Command Create()
    {
        var image = new Option<string>("--image") { Description = "Image file (PNG, JPEG, BMP, TIFF)", Required = true };
        var backbone = new Option<string?>("--backbone") { Description = $"Named backbone: {string.Join(", ", Backbones.All.Select(b => b.Name))}" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "ViT checkpoint file (architecture inferred from its tensors)" };
        var weights = new Option<string?>("--weights") { Description = $"Folder of the named backbones' files (default: {Backbones.DefaultWeightsFolders})" };
        var layers = new Option<string>("--layers") { Description = "1-based blocks averaged into patch features: 3-10 or 3,5,7", DefaultValueFactory = _ => "3-10" };
        var attentionLayer = new Option<int?>("--attention-layer") { Description = "Block whose CLS attention drives BPM (default: the last of --layers)" };
        var kernel = new Option<int>("--kernel") { Description = "BPM smoothing kernel n (odd)", DefaultValueFactory = _ => BackPatchAttention.DefaultKernel };
        var threshold = new Option<double>("--threshold") { Description = "BPM threshold lambda in [0, 1)", DefaultValueFactory = _ => 0.1 };
        var resize = new Option<int>("--resize") { Description = "Shorter side after resizing", DefaultValueFactory = _ => 256 };
        var imageSize = new Option<int>("--imagesize") { Description = "Center-crop size (network input)", DefaultValueFactory = _ => 224 };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:i]", DefaultValueFactory = _ => "cpu" };
        var output = new Option<string>("--out") { Description = "Output .safetensors file (written atomically)", Required = true };
        var command = new Command("features", "Write one image's input, block outputs, patch features, CLS attention and BPM map as safetensors")
        {
            image, backbone, checkpoint, weights, layers, attentionLayer, kernel, threshold, resize, imageSize, device, output,
        };
        command.SetAction(parse => Run(new FeaturesRequest(
            parse.GetValue(image)!, parse.GetValue(backbone), parse.GetValue(checkpoint), parse.GetValue(weights),
            parse.GetValue(layers)!, parse.GetValue(attentionLayer), parse.GetValue(kernel), parse.GetValue(threshold),
            parse.GetValue(resize), parse.GetValue(imageSize), parse.GetValue(device)!, parse.GetValue(output)!)));
        return command;
    }

    private sealed record FeaturesRequest(string Image, string? Backbone, string? Checkpoint, string? Weights, string Layers,
        int? AttentionLayer, int Kernel, double Threshold, int Resize, int ImageSize, string Device, string Out);

    private static int Run(FeaturesRequest request)
    {
        // Every argument is checked before the (slow) model load.
        if (request.Backbone is null == request.Checkpoint is null)
            throw new ArgumentException("give exactly one of --backbone and --checkpoint");
        var layers = LayerList.Parse(request.Layers);
        var bpm = new BackPatchAttention(request.Kernel, request.Threshold);
        var preprocessor = new ImagePreprocessor(request.Resize, request.ImageSize);
        var device = Device.Parse(request.Device);
        TorchRuntime.Initialize();
        TorchRuntime.EnsureAvailable(device);
        if (!File.Exists(request.Image)) throw new FileNotFoundException($"--image: file not found: {request.Image}", request.Image);

        using var model = request.Backbone is { } name
            ? Backbones.Load(name, device, request.Weights)
            : VisionTransformer.Load(request.Checkpoint!, device: device);
        using var input = preprocessor.Load(request.Image);
        var tensors = FeatureDump.Compute(model, input, layers, request.AttentionLayer, bpm);
        try
        {
            FeatureDump.Write(request.Out, tensors);
            using var kept = tensors["bpm_mask"].Sum();
            Console.WriteLine($"{request.Out}: {model.Architecture}, layers {LayerList.Format(layers)}, " +
                $"{tensors["patch_features"].Size(0)} patches, BPM n={bpm.Kernel} lambda={bpm.Threshold} keeps {kept.Item():F0}");
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }
        return 0;
    }
}

using System.CommandLine;
using Uniformaly.Experiments.Options;
using Uniformaly.Research.Features;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Settings;
using static Uniformaly.Research.Settings.SettingTable;

namespace Uniformaly.Experiments.Commands;

/// <summary>
/// <c>uniformaly features --image FILE (--backbone NAME | --checkpoint FILE) --out FILE.safetensors</c>:
/// every intermediate of one image up to Back Patch Masking (docs/method.md sections 1, 2, 4, 5),
/// for inspection and for checking against another implementation.
/// </summary>
public static class FeaturesCommand
{
    private static readonly Setting<string?> Image = OwnSettings.Path("image", "Image file (PNG, JPEG, BMP, TIFF, ...)");
    private static readonly Setting<string?> Out = OwnSettings.Path("out", "Output .safetensors file (written atomically)");

    public static Command Create()
    {
        var command = new Command("features", "Write one image's input, block outputs, patch features, CLS attention and BPM map as safetensors");
        var options = new SettingOptions(command,
            [Image, Backbone, Checkpoint, Weights, Layers, AttentionLayer, Kernel, Threshold, Resize, ImageSize, Seed, Device, Threads, Out]);
        command.SetAction(parse => Run(options.Read(parse)));
        return command;
    }

    private static int Run(SettingValues values)
    {
        var settings = DetectorSettings.From(values);
        var image = values.Get(Image)!;
        var device = Compute.Apply(values);
        if (!File.Exists(image)) throw new FileNotFoundException($"{Image.Option}: file not found: {image}", image);
        using var extractor = FeatureExtractor.Create(settings, device, values.Get(Weights), where: values.Naming());
        using var batch = extractor.Input.LoadBatch([image]);
        using var input = batch.Select(0, 0);
        var bpm = new BackPatchMasking(BackPatchMaskingMode.Binary, settings.Kernel, settings.Threshold);
        var tensors = FeatureDump.Compute(extractor.Backbone, input, settings.Layers, settings.EffectiveAttentionLayer, bpm);
        try
        {
            var output = values.Get(Out)!;
            FeatureDump.Write(output, tensors);
            using var kept = tensors["bpm_mask"].Sum();
            Console.WriteLine($"{output}: {extractor.Backbone.Architecture}, layers {LayerList.Format(settings.Layers)}, " +
                $"{tensors["patch_features"].Size(0)} patches, BPM n={settings.Kernel} lambda={settings.Threshold} keeps {kept.Item():F0}");
        }
        finally
        {
            foreach (var tensor in tensors.Values) tensor.Dispose();
        }
        return 0;
    }
}

using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Common;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Models;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Features;

/// <summary>
/// The features stage for a detector's settings, image files in, patch features out: the image
/// input (docs/method.md section 1), the backbone (sections 2 and 3) and its layer aggregation
/// (section 4). Owns the backbone.
/// </summary>
public sealed class FeatureExtractor : IFeatureExtractor, IDisposable
{
    private readonly FeatureAggregator _aggregator;

    private FeatureExtractor(VisionTransformer model, DetectorSettings settings, string description, string? weightsFile = null, string? weightsFolder = null)
    {
        Backbone = model;
        _aggregator = new FeatureAggregator(model, settings.Layers, settings.EffectiveAttentionLayer);
        Input = new PreprocessedImageInput(settings.Resize, settings.ImageSize);
        Description = description;
        WeightsFile = weightsFile;
        WeightsFolder = weightsFolder;
    }

    /// <summary>The ViT.</summary>
    public VisionTransformer Backbone { get; }

    /// <summary>Reads image files as the backbone sees them.</summary>
    public IImageInput Input { get; }

    /// <summary>Which weights were loaded, for the console and settings.json.</summary>
    public string Description { get; }

    /// <summary>The checkpoint file the backbone was loaded from; null for random weights.</summary>
    public string? WeightsFile { get; }

    /// <summary>The weights folder a named backbone's file was found in (the --weights in effect); null otherwise.</summary>
    public string? WeightsFolder { get; }

    public int PatchSize => Backbone.Architecture.PatchSize;

    /// <summary>Loads the backbone that <paramref name="settings"/> names onto <paramref name="device"/>,
    /// after checking the settings against its architecture (known from a backbone's name before
    /// anything is loaded, from a checkpoint's tensors before the model is built).</summary>
    /// <param name="settings">Which backbone, its layers, and how images are prepared for it.</param>
    /// <param name="device">Where the backbone runs.</param>
    /// <param name="weightsFolder">Where named backbones' files are (default: the folders <see cref="Backbones.WeightsFolders"/> lists).</param>
    /// <param name="expected">For a fitted model: the checkpoint it was fitted with; another file is refused.</param>
    /// <param name="where">How the settings are named in messages (default: as options, --layers).</param>
    /// <exception cref="SettingException">the layers, attention layer or crop do not fit the backbone.</exception>
    public static FeatureExtractor Create(DetectorSettings settings, Device device, string? weightsFolder = null, CheckpointRecord? expected = null,
        Func<Setting, string>? where = null)
    {
        TorchRuntime.EnsureAvailable(device);
        if (settings.Checkpoint is { } checkpoint)
        {
            Verify(checkpoint, expected);
            using var stateDict = CheckpointReader.Read(checkpoint);
            var architecture = VitArchitecture.Infer(stateDict);
            BackboneFit.Check(settings, architecture, where);
            var model = VisionTransformer.FromStateDict(stateDict, architecture, device, settings.BackbonePrecision);
            return new FeatureExtractor(model, settings, $"backbone: {model.Architecture} from {checkpoint}", Path.GetFullPath(checkpoint));
        }
        var name = settings.Backbone!;
        var shape = Backbones.ArchitectureOf(name);
        BackboneFit.Check(settings, shape, where);
        if (Backbones.IsRandom(name))
        {
            TorchRuntime.ManualSeed((ulong)settings.Seed);
            return new FeatureExtractor(VisionTransformer.Random(shape, device, settings.BackbonePrecision), settings,
                $"backbone: {shape} with RANDOM weights (seed {settings.Seed}), not a pretrained model");
        }
        var (folder, path) = Backbones.Locate(Backbones.Get(name), weightsFolder);
        Verify(path, expected);
        return new FeatureExtractor(VisionTransformer.Load(path, shape, device, settings.BackbonePrecision), settings, $"backbone: {name} from {path}", path, folder);
    }

    /// <summary>What <see cref="Detector.UniformalyDetector.Save"/> records about the weights: the file and its hash.</summary>
    public CheckpointRecord? Record() => WeightsFile is { } file ? CheckpointRecord.Of(file) : null;

    /// <summary>A missing file is left to the loader, whose message says where to get it.</summary>
    private static void Verify(string path, CheckpointRecord? expected)
    {
        if (expected is not null && File.Exists(path)) expected.Verify(path);
    }

    /// <summary>Patch features of images [B, 3, H, W] float32 on any device: the image input decodes
    /// on the host, so a batch for a CUDA backbone is moved there first.</summary>
    public PatchFeatures Extract(Tensor images)
    {
        if (images.Device == Backbone.Device) return _aggregator.Extract(images);
        using var onDevice = images.To(Backbone.Device);
        return _aggregator.Extract(onDevice);
    }

    /// <summary>Patch features of one batch of image files.</summary>
    public PatchFeatures Extract(IReadOnlyList<string> paths)
    {
        using var images = Input.LoadBatch(paths);
        return Extract(images);
    }

    /// <summary>Patch features batch by batch, each freed when the consumer moves on.</summary>
    public IEnumerable<PatchFeatures> Extract(IReadOnlyList<string> paths, int batchSize, IProgressStage stage)
    {
        foreach (var batch in paths.Chunk(batchSize))
        {
            using (var features = Extract(batch))
                yield return features;
            stage.Advance(batch.Length); // after the consumer's work, so rates and ETAs include it
        }
    }

    public void Dispose() => Backbone.Dispose();
}

using Uniformaly.Research.Common;
using Uniformaly.Research.Evaluation;
using Uniformaly.Research.Features;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Detector;

/// <summary>
/// What turns image files into patch features for a detector's settings: the image input (SPEC
/// section 1) and the backbone with its layer selection (sections 2 and 4). Owns the model.
/// </summary>
public sealed class DetectorBackend : IDisposable
{
    /// <summary>Names of the form random_vits16 (random_ + a named backbone's suffix) build that
    /// architecture with seeded random weights: for demos and tests without downloads.</summary>
    public const string RandomPrefix = "random_";

    private readonly VisionTransformer _model;

    private DetectorBackend(VisionTransformer model, DetectorSettings settings, string description, string? weightsFile = null)
    {
        _model = model;
        WeightsFile = weightsFile;
        Input = new PreprocessedImageInput(settings.Resize, settings.ImageSize);
        Extractor = new PatchFeatureExtractor(model, settings.Layers, settings.EffectiveAttentionLayer);
        Description = description;
    }

    public IImageInput Input { get; }

    public IPatchFeatureExtractor Extractor { get; }

    /// <summary>Which weights were loaded, for the console and settings.json.</summary>
    public string Description { get; }

    /// <summary>The checkpoint file the backbone was loaded from; null for random weights.</summary>
    public string? WeightsFile { get; }

    /// <summary>Loads the backbone that <paramref name="settings"/> names onto <paramref name="device"/>.</summary>
    /// <param name="settings">Which backbone, and how images are prepared for it.</param>
    /// <param name="device">Where the backbone runs.</param>
    /// <param name="weightsFolder">Where named backbones' files are (default: the folders <see cref="Backbones.WeightsFolders"/> lists).</param>
    /// <param name="expected">For a fitted model: the checkpoint it was fitted with; another file is refused.</param>
    public static DetectorBackend Create(DetectorSettings settings, Device device, string? weightsFolder = null, CheckpointRecord? expected = null)
    {
        settings.Validate();
        TorchRuntime.EnsureAvailable(device);
        if (settings.Checkpoint is { } checkpoint)
        {
            Verify(checkpoint, expected);
            var model = VisionTransformer.Load(checkpoint, device: device, precision: settings.BackbonePrecision);
            return new DetectorBackend(model, settings, $"backbone: {model.Architecture} from {checkpoint}", Path.GetFullPath(checkpoint));
        }
        var name = settings.Backbone!;
        if (name.StartsWith(RandomPrefix, StringComparison.Ordinal))
        {
            var spec = Backbones.Get("dino_" + name[RandomPrefix.Length..]);
            TorchRuntime.ManualSeed((ulong)settings.Seed);
            return new DetectorBackend(VisionTransformer.Random(spec.Architecture, device, settings.BackbonePrecision), settings,
                $"backbone: {spec.Architecture} with RANDOM weights (seed {settings.Seed}), not a pretrained model");
        }
        var path = Backbones.WeightsPath(Backbones.Get(name), weightsFolder);
        Verify(path, expected);
        return new DetectorBackend(Backbones.Load(name, device, weightsFolder, settings.BackbonePrecision), settings, $"backbone: {name} from {path}", path);
    }

    /// <summary>What <see cref="UniformalyDetector.Save"/> records about the weights: the file and its hash.</summary>
    public CheckpointRecord? Record() => WeightsFile is { } file ? CheckpointRecord.Of(file) : null;

    /// <summary>A missing file is left to the loader, whose message says where to get it.</summary>
    private static void Verify(string path, CheckpointRecord? expected)
    {
        if (expected is not null && File.Exists(path)) expected.Verify(path);
    }

    /// <summary>Patch features of one batch of image files.</summary>
    public PatchFeatures Extract(IReadOnlyList<string> paths)
    {
        using var images = Input.LoadBatch(paths);
        return Extractor.Extract(images);
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

    public void Dispose() => _model.Dispose();
}

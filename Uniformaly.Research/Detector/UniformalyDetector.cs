using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Common;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Features;
using Uniformaly.Research.Sampling;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Detector;

/// <summary>
/// UniFormaly on patch embeddings (SPEC sections 5-9): Fit keeps the BPM-selected training patches
/// in a subsampled memory bank; Predict scores each test patch by its squared distance to the
/// nearest bank rows, masks the scores with BPM, takes the top k-ratio mean as the image score and
/// turns the masked patch scores into an anomaly map. Where the embeddings come from (backbone,
/// cache) is the caller's business, so sweeps can reuse them.
/// </summary>
public sealed class UniformalyDetector : IDisposable
{
    private const string BankFile = "memory_bank.safetensors";
    private const string SettingsFile = "settings.json";
    private const string BankKey = "features";

    private readonly MemoryBank _bank;
    private readonly ExactNearestNeighbourSearch _search;
    private readonly TopKRatioScorer _scorer;

    private UniformalyDetector(DetectorSettings settings, MemoryBank bank, PatchSelector selector)
    {
        Settings = settings;
        _bank = bank;
        _search = new ExactNearestNeighbourSearch(bank, precision: settings.KnnPrecision);
        _scorer = new TopKRatioScorer(settings.TopK, selector);
    }

    public DetectorSettings Settings { get; }

    /// <summary>The checkpoint a loaded detector was fitted with; null when its folder records none
    /// (random weights, or a model saved before checkpoints were recorded).</summary>
    public CheckpointRecord? Checkpoint { get; private init; }

    /// <summary>Rows of the memory bank after subsampling.</summary>
    public long BankSize => _bank.Count;

    /// <summary>Builds the memory bank from training embeddings.</summary>
    /// <param name="settings">The detector's settings (validated here).</param>
    /// <param name="training">Batches of training images' embeddings (disposed by the caller).</param>
    /// <param name="device">Where the bank lives and the search runs.</param>
    /// <param name="selector">Top-k (the method) or the Max/All ablations of Table 8.</param>
    /// <param name="progress">Reports the coreset's picks (embedding is the caller's loop).</param>
    public static UniformalyDetector Fit(DetectorSettings settings, IEnumerable<PatchFeatures> training, Device device,
        PatchSelector selector = PatchSelector.TopK, IProgressSink? progress = null)
    {
        settings.Validate();
        MemoryBankBuilder? builder = null;
        try
        {
            foreach (var batch in training)
            {
                builder ??= new MemoryBankBuilder(batch.Dim, device, Sampler(settings));
                AppendKept(settings, batch, builder);
            }
            if (builder is null) throw new ArgumentException("no training images to fit on");
            return new UniformalyDetector(settings, builder.Build(progress: progress), selector);
        }
        finally
        {
            builder?.Dispose();
        }
    }

    /// <summary>Scores a batch of test embeddings.</summary>
    public DetectorOutput Predict(PatchFeatures batch)
    {
        if (batch.Dim != _bank.Dim)
            throw new ArgumentException($"features have width {batch.Dim} but the memory bank {_bank.Dim}: was the detector fitted with another backbone?");
        using var scope = new DisposeScope();
        var (b, n) = (batch.Batch, batch.Patches);
        var queries = batch.Features.To(_bank.Device).Reshape(b * n, batch.Dim);
        using var neighbours = _search.Search(queries, Settings.NearestNeighbours);
        var patchScores = neighbours.PatchScores().Reshape(b, n);
        var attention = BpmWeights(Settings, batch).To(_bank.Device);
        var masked = BackPatchMasking.ApplyToScores(patchScores, attention, Settings.Masking, Settings.Threshold);
        var image = _scorer.Score(masked);
        var maps = new AnomalyMapGenerator(Settings.ImageSize, Settings.ImageSize).Generate(masked, batch.GridHeight, batch.GridWidth);
        var clustering = image.ClusteringFeatures(batch.Features.To(_bank.Device));
        return new DetectorOutput(scope.MoveToOuter(image.Scores), scope.MoveToOuter(maps),
            scope.MoveToOuter(image.PatchIndices), scope.MoveToOuter(clustering));
    }

    /// <summary>Writes the bank (safetensors), the settings (JSON) and, for a backbone loaded from a
    /// file, which checkpoint it was (<see cref="CheckpointRecord"/>) to <paramref name="folder"/>.</summary>
    /// <exception cref="InvalidDataException">the bank holds NaN or infinite values (the backbone produced them).</exception>
    public void Save(string folder, CheckpointRecord? checkpoint = null)
    {
        if (NonFinite(_bank.Features) is var bad and > 0)
            throw new InvalidDataException($"{bad} of the memory bank's {_bank.Features.NumEl} values are NaN or infinite: the backbone's features are not finite; check the checkpoint");
        Directory.CreateDirectory(folder);
        SafeTensors.Write(Path.Combine(folder, BankFile), new Dictionary<string, Tensor> { [BankKey] = _bank.Features },
            new Dictionary<string, string> { ["format"] = "uniformaly-detector/1" });
        AtomicFile.WriteAllText(Path.Combine(folder, SettingsFile), Settings.ToJson());
        checkpoint?.Save(folder);
    }

    /// <summary>Loads a detector saved by <see cref="Save"/>, with its bank on <paramref name="device"/>.</summary>
    /// <exception cref="InvalidDataException">the bank holds NaN or infinite values; the message names the file.</exception>
    public static UniformalyDetector Load(string folder, Device device, PatchSelector selector = PatchSelector.TopK)
    {
        ResultFolder.FinishInterruptedPublish(folder);
        var settingsPath = Path.Combine(folder, SettingsFile);
        var bankPath = Path.Combine(folder, BankFile);
        if (!File.Exists(settingsPath) || !File.Exists(bankPath))
            throw new FileNotFoundException($"{folder} is not a fitted Uniformaly model (expected {SettingsFile} and {BankFile}; create one with `uniformaly fit`)");
        var settings = DetectorSettings.FromJson(File.ReadAllText(settingsPath), settingsPath);
        using var saved = SafeTensors.Read(bankPath);
        if (!saved.TryGetValue(BankKey, out var features) || features.Dim != 2)
            throw new CheckpointException(bankPath, $"no [M, D] tensor '{BankKey}'");
        if (NonFinite(features) is var bad and > 0)
            throw new InvalidDataException($"{bankPath}: {bad} of the memory bank's {features.NumEl} values are NaN or infinite, so every score would be NaN; fit the model again");
        return new UniformalyDetector(settings, MemoryBank.FromFeatures(features, device), selector) { Checkpoint = CheckpointRecord.Load(folder) };
    }

    public void Dispose()
    {
        _search.Dispose();
        _bank.Dispose();
    }

    private static void AppendKept(DetectorSettings settings, PatchFeatures batch, MemoryBankBuilder builder)
    {
        using var scope = new DisposeScope();
        var attention = BpmWeights(settings, batch);
        var keep = BackPatchMasking.TrainingKeep(attention, settings.Masking, settings.Threshold);
        for (long i = 0; i < batch.Batch; i++)
            builder.Append(batch.Features.Select(0, i), keep.Select(0, i).To(builder.Device));
    }

    /// <summary>The normalized smoothed attention BPM works on ([B, N]; ones when BPM is off).</summary>
    private static Tensor BpmWeights(DetectorSettings settings, PatchFeatures batch) =>
        settings.Masking == BackPatchMaskingMode.Off
            ? Tensor.Ones([batch.Batch, batch.Patches], device: batch.ClsAttention.Device)
            : new BackPatchAttention(settings.Kernel, settings.Threshold).Smooth(batch.ClsAttention, batch.GridHeight, batch.GridWidth);

    /// <summary>How many values are NaN or infinite (x - x is NaN exactly for those).</summary>
    private static long NonFinite(Tensor values)
    {
        using var scope = new DisposeScope();
        return (values - values).IsNan().Sum().ItemLong();
    }

    private static IFeatureSampler Sampler(DetectorSettings settings) => settings.Sampler switch
    {
        SamplerKind.Identity => new IdentitySampler(),
        SamplerKind.Random => new RandomSampler(settings.SamplerRatio, (ulong)settings.Seed),
        _ => new ApproximateGreedyCoresetSampler(settings.SamplerRatio, (ulong)settings.Seed),
    };
}

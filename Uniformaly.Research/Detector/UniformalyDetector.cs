using System.Text.Json.Nodes;
using Uniformaly.Research.Bank;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Common;
using Uniformaly.Research.Features;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Scoring;
using Uniformaly.Research.Search;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Detector;

/// <summary>
/// UniFormaly on patch features (docs/method.md sections 5-9): Fit keeps the BPM-selected training patches
/// in a subsampled memory bank; Predict scores each test patch by its distance to the nearest bank
/// rows (squared L2, or AnomalyDINO's cosine), masks the scores with BPM or AnomalyDINO's PCA mask,
/// takes the top k-ratio mean as the image score and turns the masked patch scores into an anomaly map. Where the features come from (feature extractor,
/// cache) is the caller's business, so sweeps can reuse them.
/// </summary>
public sealed class UniformalyDetector : IDisposable
{
    private const string BankFile = "memory_bank.safetensors";
    private const string BankKey = "features";

    private readonly MemoryBank _bank;
    private readonly ExactNearestNeighbourSearch _search;
    private readonly TopKRatioScorer _scorer;
    private readonly BackPatchMasking _masking;

    private UniformalyDetector(DetectorSettings settings, MemoryBank bank, PatchSelector selector)
    {
        Settings = settings;
        _bank = bank;
        _search = new ExactNearestNeighbourSearch(bank, precision: settings.KnnPrecision);
        _scorer = new TopKRatioScorer(settings.TopK, selector);
        _masking = Masking(settings);
    }

    /// <summary>The detector's settings, as validated when they were made (<see cref="DetectorSettings.From"/>).</summary>
    public DetectorSettings Settings { get; }

    /// <summary>For a loaded detector, the settings its folder's settings.json holds, each named by
    /// file and key for messages; null for a fitted one.</summary>
    public SettingValues? SavedSettings { get; private init; }

    /// <summary>The checkpoint a loaded detector was fitted with; null when its folder records none
    /// (random weights, or a model saved before checkpoints were recorded).</summary>
    public CheckpointRecord? Checkpoint { get; private init; }

    /// <summary>Rows of the memory bank after subsampling.</summary>
    public long BankSize => _bank.Count;

    /// <summary>The training patches of a fitted detector, and how many BPM kept out of the bank (none known for a loaded one).</summary>
    public PatchCount TrainingMasking { get; private init; }

    /// <summary>What BPM did: in training (<see cref="TrainingMasking"/>) and to the test patches of <paramref name="test"/>
    /// (the sum of the <see cref="DetectorOutput.Masking"/> of the batches scored).</summary>
    public MaskedPatches Masked(PatchCount test) => new(_masking.Mode, TrainingMasking, test);

    /// <summary>Builds the memory bank from training images' patch features.</summary>
    /// <param name="settings">The detector's settings.</param>
    /// <param name="training">Batches of training images' patch features (disposed by the caller).</param>
    /// <param name="device">Where the bank lives and the search runs.</param>
    /// <param name="selector">Top-k (the method) or the Max/All ablations of Table 8.</param>
    /// <param name="progress">Reports the coreset's picks (extracting the features is the caller's loop).</param>
    /// <exception cref="SettingException">--nn exceeds the bank the kept training patches make.</exception>
    public static UniformalyDetector Fit(DetectorSettings settings, IEnumerable<PatchFeatures> training, Device device,
        PatchSelector selector = PatchSelector.TopK, IProgressSink? progress = null) =>
        FitWithFolds(settings, training, device, folds: 0, selector, progress).Full;

    /// <summary>
    /// Builds the memory bank of all training images and, from the same pass over their features, one
    /// bank per fold that leaves that fold out, for cross-fit calibration (docs/method.md section 20):
    /// the i-th training image (in the order given) is in fold i mod <paramref name="folds"/>. The full
    /// bank is the one <see cref="Fit"/> builds. With --rotate-references each image arrives as
    /// consecutive rotated copies (<see cref="RotatedReferences"/>), which stay in their image's fold.
    /// </summary>
    /// <param name="settings">The detector's settings.</param>
    /// <param name="training">Batches of training images' patch features (disposed by the caller).</param>
    /// <param name="device">Where the banks live and the search runs.</param>
    /// <param name="folds">0 for the full bank only, else at least 2.</param>
    /// <param name="selector">Top-k (the method) or the Max/All ablations of Table 8.</param>
    /// <param name="progress">Reports the coreset's picks.</param>
    /// <returns>The detector of all images, and per fold the detector without that fold's images.</returns>
    public static (UniformalyDetector Full, IReadOnlyList<UniformalyDetector> Folds) FitWithFolds(DetectorSettings settings,
        IEnumerable<PatchFeatures> training, Device device, int folds, PatchSelector selector = PatchSelector.TopK, IProgressSink? progress = null)
    {
        if (folds is 1 or < 0) throw new ArgumentOutOfRangeException(nameof(folds), folds, "0 (no folds) or at least 2");
        var masking = Masking(settings);
        var copiesPerImage = RotatedReferences.CopiesPerImage(settings);
        MemoryBankBuilder? full = null;
        var left = new MemoryBankBuilder[folds];
        var fitted = new List<UniformalyDetector>();
        var count = new PatchCount();
        try
        {
            long image = 0;
            foreach (var batch in training)
            {
                full ??= new MemoryBankBuilder(batch.Dim, device, Sampler(settings));
                // The fold banks share the memory budget of one bank; what does not fit goes to their temporary files.
                for (var j = 0; j < folds; j++) left[j] ??= new MemoryBankBuilder(batch.Dim, device, Sampler(settings), MemoryBankBuilder.DefaultMemoryBytes / folds);
                var first = image;
                count += AppendKept(masking, settings.Distance, batch, i => left.Where((_, j) => j != (first + i) / copiesPerImage % folds).Prepend(full));
                image += batch.Batch;
            }
            if (full is null) throw new ArgumentException("no training images to fit on");
            foreach (var builder in left) fitted.Add(Build(settings, builder, selector, progress));
            return (Build(settings, full, selector, progress, count), fitted);
        }
        catch
        {
            foreach (var detector in fitted) detector.Dispose();
            throw;
        }
        finally
        {
            full?.Dispose();
            foreach (var builder in left) builder?.Dispose();
        }
    }

    private static UniformalyDetector Build(DetectorSettings settings, MemoryBankBuilder builder, PatchSelector selector, IProgressSink? progress,
        PatchCount trainingMasking = default)
    {
        BankBound.CheckKept(settings, builder.Count);
        return new UniformalyDetector(settings, builder.Build(progress: progress), selector) { TrainingMasking = trainingMasking };
    }

    /// <summary>Scores a batch of test images' patch features.</summary>
    /// <param name="batch">The test images' patch features.</param>
    /// <param name="category">Their category, for the rule of when --masking pca masks (<see cref="PcaMaskingRule"/>); null: unknown.</param>
    public DetectorOutput Predict(PatchFeatures batch, string? category = null)
    {
        if (batch.Dim != _bank.Dim)
            throw new ArgumentException($"features have width {batch.Dim} but the memory bank {_bank.Dim}: was the detector fitted with another backbone?");
        using var scope = new DisposeScope();
        var (b, n) = (batch.Batch, batch.Patches);
        var queries = Settings.Distance.Rows(batch.Features.To(_bank.Device).Reshape(b * n, batch.Dim));
        using var neighbours = _search.Search(queries, Settings.NearestNeighbours);
        var patchScores = Settings.Distance.Scores(neighbours.PatchScores()).Reshape(b, n);
        var attention = _masking.Attention(batch.ClsAttention, batch.GridHeight, batch.GridWidth).To(_bank.Device);
        var masked = _masking.Apply(patchScores, attention);
        if (Settings.Masking == ForegroundMasking.Pca && PcaMaskingRule.Masks(category))
            masked *= PcaForegroundMasking.Mask(batch.Features, batch.GridHeight, batch.GridWidth).To(_bank.Device, DType.Float32);
        var image = _scorer.Score(masked);
        var maps = new AnomalyMapGenerator(Settings.ImageSize, Settings.ImageSize).Generate(masked, batch.GridHeight, batch.GridWidth);
        var clustering = image.ClusteringFeatures(batch.Features.To(_bank.Device));
        return new DetectorOutput(scope.MoveToOuter(image.Scores), scope.MoveToOuter(maps),
            scope.MoveToOuter(image.PatchIndices), scope.MoveToOuter(clustering)) { Masking = _masking.Count(attention) };
    }

    /// <summary>Writes the bank (safetensors), the settings (<see cref="SettingsFile"/>) and, for a backbone
    /// loaded from a file, which checkpoint it was (<see cref="CheckpointRecord"/>) to <paramref name="folder"/>.</summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="checkpoint">The weights' file and hash, from <see cref="Features.FeatureExtractor.Record"/>.</param>
    /// <param name="settings">What settings.json holds: the fit command's settings (so it is a --config that
    /// fits the same model); by default the detector's own.</param>
    /// <param name="about">settings.json's informational part (default: the versions).</param>
    /// <exception cref="InvalidDataException">the bank holds NaN or infinite values (the backbone produced them).</exception>
    public void Save(string folder, CheckpointRecord? checkpoint = null, SettingValues? settings = null, JsonObject? about = null)
    {
        if (NonFinite(_bank.Features) is var bad and > 0)
            throw new InvalidDataException($"{bad} of the memory bank's {_bank.Features.NumEl} values are NaN or infinite: the backbone's features are not finite; check the checkpoint");
        Directory.CreateDirectory(folder);
        SafeTensors.Write(Path.Combine(folder, BankFile), new Dictionary<string, Tensor> { [BankKey] = _bank.Features },
            new Dictionary<string, string> { ["format"] = "uniformaly-detector/1" });
        SettingsFile.Write(Path.Combine(folder, SettingsFile.FileName), settings ?? Settings.WriteTo(new SettingValues([])), about ?? SettingsFile.About("fit"));
        checkpoint?.Save(folder);
    }

    /// <summary>Loads a detector saved by <see cref="Save"/>, with its bank on <paramref name="device"/>.</summary>
    /// <exception cref="InvalidDataException">the bank holds NaN or infinite values, or settings.json is damaged; the message names the file (and key).</exception>
    public static UniformalyDetector Load(string folder, Device device, PatchSelector selector = PatchSelector.TopK)
    {
        ResultFolder.FinishInterruptedPublish(folder);
        var settingsPath = Path.Combine(folder, SettingsFile.FileName);
        var bankPath = Path.Combine(folder, BankFile);
        if (!File.Exists(settingsPath) || !File.Exists(bankPath))
            throw new FileNotFoundException($"{folder} is not a fitted Uniformaly model (expected {SettingsFile.FileName} and {BankFile}; create one with `uniformaly fit`)");
        SettingValues savedSettings;
        DetectorSettings settings;
        try
        {
            savedSettings = SettingsFile.Read(settingsPath, SettingGroups.All);
            settings = DetectorSettings.From(savedSettings);
        }
        catch (SettingException e)
        {
            throw new InvalidDataException($"{e.Message}{(e.Message.Contains("fit the model again") ? "" : "; the model folder is damaged: fit the model again")}", e);
        }
        using var saved = SafeTensors.Read(bankPath);
        if (!saved.TryGetValue(BankKey, out var features) || features.Dim != 2)
            throw new CheckpointException(bankPath, $"no [M, D] tensor '{BankKey}'");
        if (NonFinite(features) is var bad and > 0)
            throw new InvalidDataException($"{bankPath}: {bad} of the memory bank's {features.NumEl} values are NaN or infinite, so every score would be NaN; fit the model again");
        return new UniformalyDetector(settings, MemoryBank.FromFeatures(features, device), selector)
            { Checkpoint = CheckpointRecord.Load(folder), SavedSettings = savedSettings };
    }

    public void Dispose()
    {
        _search.Dispose();
        _bank.Dispose();
    }

    /// <summary>Appends each image's training patches that BPM keeps (all of them with --masking pca or
    /// none: AnomalyDINO masks the test images only), normalised for the cosine distance, to the builders
    /// <paramref name="builders"/> names for its index in the batch; returns the batch's patches and those left out.</summary>
    private static PatchCount AppendKept(BackPatchMasking masking, PatchDistance distance, PatchFeatures batch, Func<long, IEnumerable<MemoryBankBuilder>> builders)
    {
        using var scope = new DisposeScope();
        var attention = masking.Attention(batch.ClsAttention, batch.GridHeight, batch.GridWidth);
        var keep = masking.Keep(attention);
        var rows = distance.Rows(batch.Features);
        for (long i = 0; i < batch.Batch; i++)
        {
            var (features, kept) = (rows.Select(0, i), keep.Select(0, i));
            foreach (var builder in builders(i)) builder.Append(features, kept.To(builder.Device));
        }
        return masking.Count(attention);
    }

    /// <summary>BPM as --bpm says when it is the foreground mask, else off.</summary>
    private static BackPatchMasking Masking(DetectorSettings settings) =>
        new(settings.Masking == ForegroundMasking.Bpm ? settings.Bpm : BackPatchMaskingMode.Off, settings.Kernel, settings.Threshold);

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

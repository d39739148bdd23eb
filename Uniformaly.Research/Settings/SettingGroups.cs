namespace Uniformaly.Research.Settings;

/// <summary>The settings of <see cref="SettingTable"/> by what they configure; commands take groups.</summary>
public static class SettingGroups
{
    /// <summary>The settings of <see cref="DetectorSettings"/>: which backbone, its features, BPM, the bank, the search and scoring, the image input.</summary>
    public static IReadOnlyList<Setting> Detector { get; } =
    [
        SettingTable.Backbone, SettingTable.Checkpoint, SettingTable.Layers, SettingTable.AttentionLayer, SettingTable.Masking, SettingTable.Bpm, SettingTable.Kernel,
        SettingTable.Threshold, SettingTable.TopK, SettingTable.Nn, SettingTable.Distance, SettingTable.KnnPrecision, SettingTable.BackbonePrecision, SettingTable.Sampler,
        SettingTable.SamplerRatio, SettingTable.RotateReferences, SettingTable.Seed, SettingTable.Resize, SettingTable.ImageSize,
    ];

    /// <summary>The detector's settings and where named backbones' files are: what a command that fits a detector takes.</summary>
    public static IReadOnlyList<Setting> Fitting { get; } = [.. Detector, SettingTable.Weights];

    /// <summary>Where a run's images come from: an MVTec-layout tree, CIFAR or an ImageFolder tree.</summary>
    public static IReadOnlyList<Setting> Data { get; } =
    [
        SettingTable.Dataset, SettingTable.DataRoot, SettingTable.Categories, SettingTable.MultiClass, SettingTable.LowShot, SettingTable.Normal,
        SettingTable.NormalSplit, SettingTable.TrainSplit, SettingTable.TestSplit, SettingTable.SkipBadImages,
    ];

    /// <summary>What `cluster` reads and how it clusters.</summary>
    public static IReadOnlyList<Setting> Clustering { get; } =
    [
        SettingTable.Dataset, SettingTable.DataRoot, SettingTable.Categories, SettingTable.LowShot, SettingTable.SkipBadImages,
        SettingTable.Selector, SettingTable.Clusters,
    ];

    /// <summary>What fit keeps to turn scores into decisions.</summary>
    public static IReadOnlyList<Setting> Calibration { get; } = [SettingTable.CalibrationFolds, SettingTable.Validation];

    /// <summary>How predict turns scores into decisions.</summary>
    public static IReadOnlyList<Setting> Decision { get; } = [SettingTable.Decision, SettingTable.FalseAlarmRate];

    /// <summary>The feature cache (run, cluster, reproduce).</summary>
    public static IReadOnlyList<Setting> Caching { get; } = [SettingTable.CacheDir, SettingTable.CacheLimit];

    /// <summary>Where and how fast the work runs.</summary>
    public static IReadOnlyList<Setting> Compute { get; } = [SettingTable.Device, SettingTable.BatchSize, SettingTable.Threads];

    /// <summary>What a reproduction's cells vary: the detector's settings but the backbone, low-shot and the
    /// clustering feature. The keys of a definition's <c>settings</c>, of --set and of sweeps.</summary>
    public static IReadOnlyList<Setting> Cell { get; } =
        [.. Detector.Where(s => s != SettingTable.Backbone && s != SettingTable.Checkpoint), SettingTable.LowShot, SettingTable.Selector];

    /// <summary>Every setting of the table: the keys a settings.json may hold.</summary>
    public static IReadOnlyList<Setting> All { get; } =
    [
        .. Fitting, .. Data, .. Compute, SettingTable.Images, SettingTable.SaveMaps, SettingTable.Selector, SettingTable.Clusters,
        .. Calibration, .. Decision, .. Caching,
    ];
}

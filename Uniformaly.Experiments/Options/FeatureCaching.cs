using Uniformaly.Research.Caching;
using Uniformaly.Research.Features;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;
using static Uniformaly.Research.Settings.SettingTable;

namespace Uniformaly.Experiments.Options;

/// <summary>The feature cache settings (<see cref="SettingGroups.Caching"/>) of run and cluster: with --cache-dir,
/// the backbone sits behind the cache, so a repeated or interrupted command reads the features already computed.</summary>
public static class FeatureCaching
{
    /// <summary>--cache-limit-gb in bytes.</summary>
    public static long LimitBytes(SettingValues values) => (long)(values.Get(CacheLimit) * (1L << 30));

    /// <summary>The extractor behind the cache in --cache-dir when one is given, else the extractor itself.</summary>
    public static IFeatureExtractor Wrap(SettingValues values, FeatureExtractor extractor, DetectorSettings detector, Device device) =>
        values.Get(CacheDir) is { } folder
            ? new CachedFeatureExtractor(extractor, new FeatureCache(folder, LimitBytes(values)), FeatureFingerprint.Of(detector, extractor.WeightsFolder, device))
            : extractor;

    /// <summary>"feature cache DIR: 84 images read from it, 0 through the backbone", on the console, for a cached extractor.</summary>
    public static void Report(SettingValues values, IFeatureExtractor extractor)
    {
        if (extractor is CachedFeatureExtractor cached)
            Console.Error.WriteLine($"feature cache {Path.GetFullPath(values.Get(CacheDir)!)}: {cached.Hits} images read from it, {cached.Misses} through the backbone");
    }
}

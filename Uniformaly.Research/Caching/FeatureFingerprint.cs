using Uniformaly.Research.Models;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Caching;

/// <summary>The part of a feature cache key that is not the image: what shapes the backbone's features.</summary>
public static class FeatureFingerprint
{
    /// <summary>Weights (with the file's size and time, so a replaced file is a new key), precision, layers,
    /// attention layer and device kind. Preprocessing is in the image content the key also hashes.</summary>
    /// <param name="settings">The detector's settings.</param>
    /// <param name="weightsFolder">Where a named backbone's file is looked for (null: the default folders).</param>
    /// <param name="device">Where the backbone runs.</param>
    public static string Of(DetectorSettings settings, string? weightsFolder, Device device)
    {
        var weights = (settings.Checkpoint is { } checkpoint ? Path.GetFullPath(checkpoint) : null) ?? (Backbones.IsRandom(settings.Backbone!)
            ? $"{settings.Backbone} seed {settings.Seed}"
            : Backbones.WeightsPath(Backbones.Get(settings.Backbone!), weightsFolder));
        var stamp = File.Exists(weights) ? $"{new FileInfo(weights).Length}@{File.GetLastWriteTimeUtc(weights):O}" : "";
        var precision = settings.BackbonePrecision == BackbonePrecision.Float32 ? "" : $"|{SettingTable.BackbonePrecision.Format(settings.BackbonePrecision)}";
        return $"{weights}|{stamp}{precision}|layers {string.Join(",", settings.Layers)}|attention {settings.EffectiveAttentionLayer}|{device.Type}";
    }
}

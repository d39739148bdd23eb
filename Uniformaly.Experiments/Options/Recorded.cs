using System.Text.Json.Nodes;
using Uniformaly.Research.Features;
using Uniformaly.Research.Settings;
using static Uniformaly.Research.Settings.SettingTable;

namespace Uniformaly.Experiments.Options;

/// <summary>What a command's settings.json records (<see cref="SettingsFile"/>).</summary>
public static class Recorded
{
    /// <summary>Every setting with the value in effect (the detector's as it ran, the weights folder
    /// the backbone's file was found in), so that the file given back as --config does the same again.</summary>
    public static SettingValues Values(SettingValues values, DetectorSettings detector, FeatureExtractor extractor)
    {
        var recorded = detector.WriteTo(values.Copy());
        if (extractor.WeightsFolder is { } folder) recorded.Set(Weights, folder, Weights.Option);
        return recorded;
    }

    /// <summary>The informational part: the command, the versions, the backbone loaded.</summary>
    public static JsonObject About(string command, FeatureExtractor extractor)
    {
        var about = SettingsFile.About(command);
        about["backbone-loaded"] = extractor.Description;
        return about;
    }
}

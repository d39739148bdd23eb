using System.Globalization;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Models;

namespace Uniformaly.Experiments.Reproduction;

/// <summary>
/// Applies settings written as `uniformaly run` option names (kernel: 7, sampler-ratio: 0.05, ...)
/// to <see cref="DetectorSettings"/>, plus <c>bpm</c> (binary, binary_0.2, soft, off), so experiment
/// files and sweeps speak the command line's language.
/// </summary>
public static class SettingKeys
{
    public static readonly IReadOnlyList<string> Known =
        ["layers", "attention-layer", "kernel", "threshold", "bpm", "topk", "nn", "knn-precision", "backbone-precision", "sampler", "sampler-ratio", "seed", "resize", "imagesize"];

    /// <summary>The settings with <paramref name="key"/> set; the message of a bad value names <paramref name="where"/>.</summary>
    public static DetectorSettings Apply(DetectorSettings settings, string key, string value, string where)
    {
        try
        {
            return key switch
            {
                "layers" => settings with { Layers = LayerList.Parse(value) },
                "attention-layer" => settings with { AttentionLayer = Int(value) },
                "kernel" => settings with { Kernel = Int(value) },
                "threshold" => settings with { Threshold = Double(value) },
                "bpm" => Bpm(settings, value),
                "topk" => settings with { TopK = Double(value) },
                "nn" => settings with { NearestNeighbours = Int(value) },
                "knn-precision" => settings with { KnnPrecision = SearchPrecisionNames.Parse(value, "knn-precision") },
                "backbone-precision" => settings with { BackbonePrecision = BackbonePrecisionNames.Parse(value, "backbone-precision") },
                "sampler" => settings with { Sampler = Enum.Parse<SamplerKind>(value, ignoreCase: true) },
                "sampler-ratio" => settings with { SamplerRatio = Double(value) },
                "seed" => settings with { Seed = Int(value) },
                "resize" => settings with { Resize = Int(value) },
                "imagesize" => settings with { ImageSize = Int(value) },
                _ => throw new ArgumentException($"unknown setting (known: {string.Join(", ", Known)})"),
            };
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new ArgumentException($"{where}: setting '{key}: {value}': {e.Message}", e);
        }
    }

    /// <summary>"binary" or "binary_0.2" (binary masking at that lambda), "soft" or "off".</summary>
    private static DetectorSettings Bpm(DetectorSettings settings, string value)
    {
        var parts = value.Split('_', 2);
        return parts[0].ToLowerInvariant() switch
        {
            "binary" => settings with { Masking = BackPatchMaskingMode.Binary, Threshold = parts.Length == 2 ? Double(parts[1]) : settings.Threshold },
            "soft" when parts.Length == 1 => settings with { Masking = BackPatchMaskingMode.Soft },
            "off" when parts.Length == 1 => settings with { Masking = BackPatchMaskingMode.Off },
            _ => throw new FormatException("expected binary, binary_<lambda>, soft or off"),
        };
    }

    private static int Int(string value) => int.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);

    private static double Double(string value) => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
}

using Uniformaly.Research.Data;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Evaluation;

/// <summary>One `uniformaly run` on an MVTec-layout dataset.</summary>
public sealed record EvaluationOptions
{
    public required DatasetKind Dataset { get; init; }

    public required string DataRoot { get; init; }

    /// <summary>"all" or a comma list.</summary>
    public string Categories { get; init; } = "all";

    /// <summary>One bank for the union of all categories' training images.</summary>
    public bool MultiClass { get; init; }

    /// <summary>Training images per category (null = all), drawn with <see cref="DetectorSettings.Seed"/>.</summary>
    public int? LowShot { get; init; }

    public required DetectorSettings Detector { get; init; }

    /// <summary>How the detector's settings are named in messages (--nn, or the file and key they came from).</summary>
    public Func<Setting, string>? SettingNames { get; init; }

    public Device Device { get; init; } = Device.Cpu;

    public int BatchSize { get; init; } = 8;

    /// <summary>Write heatmap overlays (PNG) of every test image.</summary>
    public bool SaveMaps { get; init; }

    /// <summary>Per category, overlays of this many best-detected, missed and falsely alarmed test
    /// images under OUT/gallery/&lt;category&gt; (0: none).</summary>
    public int GalleryImages { get; init; }

    /// <summary>Skip unreadable images with a warning instead of failing.</summary>
    public bool SkipBadImages { get; init; }

    public required string OutputFolder { get; init; }
}

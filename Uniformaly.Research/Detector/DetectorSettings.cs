using System.Text.Json;
using System.Text.Json.Serialization;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Models;

namespace Uniformaly.Research.Detector;

/// <summary>Which patches make the memory bank (SPEC section 6).</summary>
public enum SamplerKind { Identity, Random, Coreset }

/// <summary>
/// Everything that defines a fitted UniFormaly detector, saved with it as JSON. Paper defaults
/// (SPEC section 13): layers 3-10, attention layer 10, BPM binary, n = 7, lambda = 0.1, k = 5 %,
/// n_nn = 1, resize 256, crop 224, approximate greedy coreset, seed 0.
/// </summary>
public sealed record DetectorSettings
{
    /// <summary>A named backbone (dino_vitb8, ...) or null when <see cref="Checkpoint"/> is used.</summary>
    public string? Backbone { get; init; } = "dino_vitb8";

    /// <summary>A checkpoint file whose architecture is inferred from its tensors.</summary>
    public string? Checkpoint { get; init; }

    /// <summary>1-based block numbers whose patch outputs are averaged.</summary>
    public int[] Layers { get; init; } = [3, 4, 5, 6, 7, 8, 9, 10];

    /// <summary>1-based block whose CLS attention drives BPM; null = the last of <see cref="Layers"/>.</summary>
    public int? AttentionLayer { get; init; }

    /// <summary>BPM smoothing kernel n (odd, >= 1).</summary>
    public int Kernel { get; init; } = 7;

    /// <summary>BPM threshold lambda in [0, 1).</summary>
    public double Threshold { get; init; } = 0.1;

    [JsonConverter(typeof(JsonStringEnumConverter<BackPatchMaskingMode>))]
    public BackPatchMaskingMode Masking { get; init; } = BackPatchMaskingMode.Binary;

    /// <summary>Top k-ratio: the fraction of patches whose scores are averaged, in (0, 1].</summary>
    public double TopK { get; init; } = 0.05;

    /// <summary>Nearest neighbours averaged per patch (n_nn >= 1).</summary>
    public int NearestNeighbours { get; init; } = 1;

    /// <summary>How the exact nearest-neighbour search computes: float32 (the reference) or the
    /// certified bfloat16 ranking, which returns the same neighbours faster where bf16 GEMMs are fast.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<SearchPrecision>))]
    public SearchPrecision KnnPrecision { get; init; } = SearchPrecision.Float32;

    /// <summary>The arithmetic of the backbone's linear layers: float32 (the reference) or
    /// bfloat16 (faster on CPUs with bf16 units; changes the features beyond float32 rounding).</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<BackbonePrecision>))]
    public BackbonePrecision BackbonePrecision { get; init; } = BackbonePrecision.Float32;

    [JsonConverter(typeof(JsonStringEnumConverter<SamplerKind>))]
    public SamplerKind Sampler { get; init; } = SamplerKind.Coreset;

    /// <summary>Fraction of bank rows kept by the random and coreset samplers, in (0, 1].</summary>
    public double SamplerRatio { get; init; } = 0.1;

    public int Seed { get; init; }

    /// <summary>Shorter side after resizing, before the center crop.</summary>
    public int Resize { get; init; } = 256;

    /// <summary>Center-crop size: the network input is ImageSize x ImageSize.</summary>
    public int ImageSize { get; init; } = 224;

    /// <summary>The attention layer in effect.</summary>
    [JsonIgnore]
    public int EffectiveAttentionLayer => AttentionLayer ?? Layers.Max();

    /// <summary>Checks every value; the message names the option as the CLI spells it.</summary>
    public DetectorSettings Validate()
    {
        Require(Backbone is not null ^ Checkpoint is not null, "give exactly one of --backbone and --checkpoint");
        Require(Layers.Length > 0 && Layers.All(l => l >= 1), $"--layers must be 1-based block numbers, got {string.Join(",", Layers)}");
        Require(Layers.Distinct().Count() == Layers.Length, "--layers lists a block twice");
        Require(AttentionLayer is null or >= 1, $"--attention-layer must be >= 1, got {AttentionLayer}");
        Require(Kernel >= 1 && Kernel % 2 == 1, $"--kernel must be odd and >= 1 (the smoothing window is centred), got {Kernel}");
        Require(Threshold is >= 0 and < 1, $"--threshold must be in [0, 1), got {Threshold}");
        Require(TopK is > 0 and <= 1, $"--topk must be in (0, 1], got {TopK}");
        Require(NearestNeighbours >= 1, $"--nn must be >= 1, got {NearestNeighbours}");
        Require(SamplerRatio is > 0 and <= 1, $"--sampler-ratio must be in (0, 1], got {SamplerRatio}");
        Require(Resize >= ImageSize && ImageSize > 0, $"--imagesize must be positive and not above --resize ({ImageSize} > {Resize})");
        return this;
    }

    private static void Require(bool condition, string message)
    {
        if (!condition) throw new ArgumentException(message);
    }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static DetectorSettings FromJson(string json, string source) =>
        (JsonSerializer.Deserialize<DetectorSettings>(json, Json) ?? throw new InvalidDataException($"{source}: empty settings")).Validate();
}

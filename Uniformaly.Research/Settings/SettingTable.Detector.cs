using Uniformaly.Research.Bank;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Models;
using Uniformaly.Research.Search;

namespace Uniformaly.Research.Settings;

/// <summary>The detector's settings: paper defaults (docs/method.md section 13).</summary>
public static partial class SettingTable
{
    public static Setting<string?> Backbone { get; } = new("backbone",
        "Named backbone (its file in the weights folder; random_* builds the architecture with seeded random weights, for demos)",
        "dino_vitb8", ValueKinds.Optional(ValueKinds.Choice([.. Backbones.Names.Select(n => (n, n))])));

    public static Setting<string?> Checkpoint { get; } = new("checkpoint",
        "A ViT checkpoint file (.pth or .safetensors) instead of --backbone; the architecture is read from its tensors",
        null, ValueKinds.Optional(ValueKinds.Text("a file path", "file")));

    public static Setting<string?> Weights { get; } = new("weights",
        $"Folder of the named backbones' files (default: {Backbones.DefaultWeightsFolders})",
        null, ValueKinds.Optional(ValueKinds.Text("a folder path", "folder")));

    public static Setting<int[]> Layers { get; } = new("layers",
        "Blocks whose patch outputs are averaged into the features", [3, 4, 5, 6, 7, 8, 9, 10], LayerList.Kind);

    public static Setting<int?> AttentionLayer { get; } = new("attention-layer",
        "Block whose CLS attention drives BPM, 1-based (default: the highest-numbered block of --layers)",
        null, ValueKinds.Optional(ValueKinds.Whole(1, LayerList.MaxBlock)));

    public static Setting<BackPatchMaskingMode> Bpm { get; } = new("bpm",
        "Back Patch Masking, with --masking bpm: binary (keep patches whose smoothed attention exceeds --threshold), soft (weight patch scores by it) or off",
        BackPatchMaskingMode.Binary, ValueKinds.Choice(("binary", BackPatchMaskingMode.Binary), ("soft", BackPatchMaskingMode.Soft), ("off", BackPatchMaskingMode.Off)));

    public static Setting<ForegroundMasking> Masking { get; } = new("masking",
        "Foreground mask: bpm (Back Patch Masking as --bpm says), pca (AnomalyDINO's mask from the first principal component " +
        "of each test image's patch features, in the categories its rule masks) or none (every patch scored, as --bpm off)",
        ForegroundMasking.Bpm, ValueKinds.Choice(("bpm", ForegroundMasking.Bpm), ("pca", ForegroundMasking.Pca), ("none", ForegroundMasking.None)));

    public static Setting<int> Kernel { get; } = new("kernel",
        "BPM smoothing kernel size n, in patches (the window is centred, so n is odd)", 7,
        ValueKinds.Whole(1, 99, n => n % 2 == 1, "an odd whole number from 1 to 99"));

    public static Setting<double> Threshold { get; } = new("threshold",
        "BPM threshold lambda on the normalized smoothed attention", 0.1, ValueKinds.Number(new Interval(0, true, 1, false)));

    public static Setting<double> TopK { get; } = new("topk",
        "Top k-ratio: the fraction of patches whose scores are averaged into the image score", 0.05,
        ValueKinds.Number(new Interval(0, false, 1, true)));

    public static Setting<int> Nn { get; } = new("nn",
        "Nearest neighbours averaged per patch (at most the memory bank's size)", 1, ValueKinds.Whole(1, int.MaxValue));

    public static Setting<PatchDistance> Distance { get; } = new("distance",
        "Patch distance to the memory bank: l2 (squared Euclidean, UniFormaly's) or cosine (1 - cosine similarity, AnomalyDINO's: " +
        "the same exact search on L2-normalised features)",
        PatchDistance.L2, ValueKinds.Choice(("l2", PatchDistance.L2), ("cosine", PatchDistance.Cosine)));

    public static Setting<SearchPrecision> KnnPrecision { get; } = new("knn-precision",
        "Nearest-neighbour arithmetic: float32 (the reference) or bf16 (bfloat16 ranking proven per query, float32 rerank: " +
        "the same exact neighbours, faster on CPUs with bf16 units and GPUs)",
        SearchPrecision.Float32, ValueKinds.Choice(("float32", SearchPrecision.Float32), ("bf16", SearchPrecision.CertifiedBFloat16)));

    public static Setting<BackbonePrecision> BackbonePrecision { get; } = new("backbone-precision",
        "Backbone linear layers: float32 (the reference) or bf16 (weights and inputs rounded to bfloat16, float32 sums: " +
        "faster on CPUs with bf16 units; scores change by about 1 %, see docs/benchmarks.md)",
        Models.BackbonePrecision.Float32,
        ValueKinds.Choice(("float32", Models.BackbonePrecision.Float32), ("bf16", Models.BackbonePrecision.BFloat16)));

    public static Setting<SamplerKind> Sampler { get; } = new("sampler",
        "Memory bank sampler: identity (every kept patch), random or coreset (approximate greedy coreset)",
        SamplerKind.Coreset, ValueKinds.Choice(("identity", SamplerKind.Identity), ("random", SamplerKind.Random), ("coreset", SamplerKind.Coreset)));

    public static Setting<double> SamplerRatio { get; } = new("sampler-ratio",
        "Fraction of the kept patches the random and coreset samplers keep", 0.1, ValueKinds.Number(new Interval(0, false, 1, true)));

    public static Setting<bool> RotateReferences { get; } = new("rotate-references",
        "Add each training image rotated by 45, 90, ..., 315 degrees (AnomalyDINO's augmentation for few-shot; 8 times the training features)",
        false, ValueKinds.Flag);

    public static Setting<int> Seed { get; } = new("seed",
        "Seed of every random draw: sampling, low-shot images, k-means, random_* backbone weights", 0, ValueKinds.Whole(0, int.MaxValue));

    public static Setting<int> Resize { get; } = new("resize",
        "Shorter image side after resizing, in pixels, before the centre crop", 256, ValueKinds.Whole(1, MaxImageSide));

    public static Setting<int> ImageSize { get; } = new("imagesize",
        "Centre-crop size in pixels: the network input is imagesize x imagesize (at most --resize), and only that centre is scored " +
        "(the paper's protocol); equal to --resize, the whole image is scored (a non-square one loses the ends of its longer side)", 224, ValueKinds.Whole(1, MaxImageSide));

    /// <summary>Image sides above this would not fit in memory as float32 batches (and overflow pixel counts).</summary>
    private const int MaxImageSide = 8192;
}

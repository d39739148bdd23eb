using System.CommandLine;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Models;

namespace Uniformaly.Experiments.Options;

/// <summary>The command-line options that define a detector (shared by run, fit, cluster, ...).</summary>
public sealed class DetectorOptions
{
    private static readonly DetectorSettings Defaults = new();

    public Option<string?> Backbone { get; } = new("--backbone") { Description = "Named backbone: dino_vits16, dino_vits8, dino_vitb16, dino_vitb8, ibot_vits16, ibot_vitb16, ibot_vitl16 (weights/ holds the files)" };
    public Option<string?> Checkpoint { get; } = new("--checkpoint") { Description = "A ViT checkpoint file (.pth or .safetensors); the architecture is read from its tensors" };
    public Option<string> Layers { get; } = new("--layers") { Description = "Blocks whose patch outputs are averaged, 1-based", DefaultValueFactory = _ => "3-10" };
    public Option<int?> AttentionLayer { get; } = new("--attention-layer") { Description = "Block whose CLS attention drives BPM (default: the last of --layers)" };
    public Option<int> Kernel { get; } = new("--kernel") { Description = "BPM smoothing kernel size n (odd)", DefaultValueFactory = _ => Defaults.Kernel };
    public Option<double> Threshold { get; } = new("--threshold") { Description = "BPM threshold lambda", DefaultValueFactory = _ => Defaults.Threshold };
    public Option<bool> Soft { get; } = new("--soft") { Description = "Soft BPM: weight patch scores by the attention instead of masking" };
    public Option<bool> NoBpm { get; } = new("--no-bpm") { Description = "Turn Back Patch Masking off" };
    public Option<double> TopK { get; } = new("--topk") { Description = "Top k-ratio: fraction of patches averaged into the image score", DefaultValueFactory = _ => Defaults.TopK };
    public Option<int> Nn { get; } = new("--nn") { Description = "Nearest neighbours averaged per patch", DefaultValueFactory = _ => Defaults.NearestNeighbours };
    public Option<string> KnnPrecision { get; } = new("--knn-precision") { Description = "Nearest-neighbour search: float32 (the reference) or bf16 (bfloat16 ranking proven per query, float32 rerank: the same exact neighbours, faster on CPUs with bf16 units and GPUs)", DefaultValueFactory = _ => "float32" };
    public Option<string> BackbonePrecision { get; } = new("--backbone-precision") { Description = "Backbone linear layers: float32 (the reference) or bf16 (weights and inputs rounded to bfloat16, float32 sums: faster on CPUs with bf16 units, scores change slightly)", DefaultValueFactory = _ => "float32" };
    public Option<string> Sampler { get; } = new("--sampler") { Description = "Memory bank sampler: identity, random or coreset", DefaultValueFactory = _ => "coreset" };
    public Option<double> SamplerRatio { get; } = new("--sampler-ratio") { Description = "Fraction of patches the sampler keeps", DefaultValueFactory = _ => Defaults.SamplerRatio };
    public Option<int> Seed { get; } = new("--seed") { Description = "Seed for sampling and low-shot draws", DefaultValueFactory = _ => 0 };
    public Option<int> Resize { get; } = new("--resize") { Description = "Shorter image side after resizing", DefaultValueFactory = _ => Defaults.Resize };
    public Option<int> ImageSize { get; } = new("--imagesize") { Description = "Center-crop size (network input)", DefaultValueFactory = _ => Defaults.ImageSize };

    public IEnumerable<Option> All =>
        [Backbone, Checkpoint, Layers, AttentionLayer, Kernel, Threshold, Soft, NoBpm, TopK, Nn, KnnPrecision, BackbonePrecision, Sampler, SamplerRatio, Seed, Resize, ImageSize];

    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
    }

    /// <summary>The validated settings; with neither --backbone nor --checkpoint, <paramref name="defaultBackbone"/>.</summary>
    public DetectorSettings Bind(ParseResult parse, string? defaultBackbone = "dino_vitb8")
    {
        var (backbone, checkpoint) = (parse.GetValue(Backbone), parse.GetValue(Checkpoint));
        if (backbone is not null && checkpoint is not null) throw new ArgumentException("give either --backbone or --checkpoint, not both");
        if (parse.GetValue(Soft) && parse.GetValue(NoBpm)) throw new ArgumentException("--soft and --no-bpm exclude each other");
        return new DetectorSettings
        {
            Backbone = checkpoint is null ? backbone ?? defaultBackbone : null,
            Checkpoint = checkpoint is null ? null : Path.GetFullPath(checkpoint),
            Layers = LayerList.Parse(parse.GetValue(Layers)!),
            AttentionLayer = parse.GetValue(AttentionLayer),
            Kernel = parse.GetValue(Kernel),
            Threshold = parse.GetValue(Threshold),
            Masking = parse.GetValue(NoBpm) ? BackPatchMaskingMode.Off : parse.GetValue(Soft) ? BackPatchMaskingMode.Soft : BackPatchMaskingMode.Binary,
            TopK = parse.GetValue(TopK),
            NearestNeighbours = parse.GetValue(Nn),
            KnnPrecision = SearchPrecisionNames.Parse(parse.GetValue(KnnPrecision)!, "--knn-precision"),
            BackbonePrecision = BackbonePrecisionNames.Parse(parse.GetValue(BackbonePrecision)!, "--backbone-precision"),
            Sampler = parse.GetValue(Sampler)!.ToLowerInvariant() switch
            {
                "identity" => SamplerKind.Identity,
                "random" => SamplerKind.Random,
                "coreset" => SamplerKind.Coreset,
                var other => throw new ArgumentException($"--sampler: unknown sampler '{other}' (identity, random, coreset)"),
            },
            SamplerRatio = parse.GetValue(SamplerRatio),
            Seed = parse.GetValue(Seed),
            Resize = parse.GetValue(Resize),
            ImageSize = parse.GetValue(ImageSize),
        }.Validate();
    }
}

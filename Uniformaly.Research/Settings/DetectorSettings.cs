using Uniformaly.Research.Bank;
using Uniformaly.Research.Common;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Models;
using Uniformaly.Research.Search;

namespace Uniformaly.Research.Settings;

/// <summary>
/// Everything that defines a UniFormaly detector, as the library's types take it: each property is
/// one setting of <see cref="SettingTable"/> (its default is the table's), and <see cref="Bindings"/>
/// says which. Made from users' values by <see cref="From"/>, which with the table's parsing checks
/// every value once; the types that take it do not check it again. Code that builds one itself can
/// check it with <see cref="Validate"/>.
/// </summary>
public sealed record DetectorSettings
{
    /// <summary>A named backbone (<see cref="Backbones.Names"/>); ignored when <see cref="Checkpoint"/> is set.</summary>
    public string? Backbone { get; init; } = SettingTable.Backbone.Default;

    /// <summary>A checkpoint file whose architecture is inferred from its tensors (absolute path).</summary>
    public string? Checkpoint { get; init; } = SettingTable.Checkpoint.Default;

    /// <summary>L: 1-based block numbers whose patch outputs are averaged.</summary>
    public int[] Layers { get; init; } = SettingTable.Layers.Default;

    /// <summary>a: 1-based block whose CLS attention drives BPM; null = the highest-numbered block of <see cref="Layers"/>.</summary>
    public int? AttentionLayer { get; init; } = SettingTable.AttentionLayer.Default;

    /// <summary>Which foreground mask: BPM (as <see cref="Bpm"/> says), AnomalyDINO's PCA mask, or none.</summary>
    public ForegroundMasking Masking { get; init; } = SettingTable.Masking.Default;

    /// <summary>How BPM acts when <see cref="Masking"/> is BPM.</summary>
    public BackPatchMaskingMode Bpm { get; init; } = SettingTable.Bpm.Default;

    /// <summary>BPM smoothing kernel n (odd).</summary>
    public int Kernel { get; init; } = SettingTable.Kernel.Default;

    /// <summary>BPM threshold lambda in [0, 1).</summary>
    public double Threshold { get; init; } = SettingTable.Threshold.Default;

    /// <summary>Top k-ratio: the fraction of patches whose scores are averaged, in (0, 1].</summary>
    public double TopK { get; init; } = SettingTable.TopK.Default;

    /// <summary>n_nn: nearest neighbours averaged per patch.</summary>
    public int NearestNeighbours { get; init; } = SettingTable.Nn.Default;

    /// <summary>The patch distance: squared L2 (UniFormaly) or cosine (AnomalyDINO), both by the exact L2 search.</summary>
    public PatchDistance Distance { get; init; } = SettingTable.Distance.Default;

    /// <summary>How the exact nearest-neighbour search computes: float32 (the reference) or the
    /// certified bfloat16 ranking, which returns the same neighbours faster where bf16 GEMMs are fast.</summary>
    public SearchPrecision KnnPrecision { get; init; } = SettingTable.KnnPrecision.Default;

    /// <summary>The arithmetic of the backbone's linear layers: float32 (the reference) or
    /// bfloat16 (faster on CPUs with bf16 units; changes the features beyond float32 rounding).</summary>
    public BackbonePrecision BackbonePrecision { get; init; } = SettingTable.BackbonePrecision.Default;

    public SamplerKind Sampler { get; init; } = SettingTable.Sampler.Default;

    /// <summary>Fraction of bank rows kept by the random and coreset samplers, in (0, 1].</summary>
    public double SamplerRatio { get; init; } = SettingTable.SamplerRatio.Default;

    /// <summary>Training images also enter rotated by AnomalyDINO's angles.</summary>
    public bool RotateReferences { get; init; } = SettingTable.RotateReferences.Default;

    public int Seed { get; init; } = SettingTable.Seed.Default;

    /// <summary>Shorter side after resizing, before the centre crop.</summary>
    public int Resize { get; init; } = SettingTable.Resize.Default;

    /// <summary>Centre-crop size: the network input is ImageSize x ImageSize.</summary>
    public int ImageSize { get; init; } = SettingTable.ImageSize.Default;

    /// <summary>The attention layer in effect.</summary>
    public int EffectiveAttentionLayer => AttentionLayer ?? Layers.Max();

    /// <summary>Each property and the setting it is.</summary>
    public static IReadOnlyList<Binding> Bindings { get; } =
    [
        new Binding<string?>(SettingTable.Backbone, s => s.Checkpoint is null ? s.Backbone : null, (s, v) => s with { Backbone = v }),
        new Binding<string?>(SettingTable.Checkpoint, s => s.Checkpoint, (s, v) => s with { Checkpoint = v is null ? null : Path.GetFullPath(v) }),
        new Binding<int[]>(SettingTable.Layers, s => s.Layers, (s, v) => s with { Layers = v }),
        new Binding<int?>(SettingTable.AttentionLayer, s => s.EffectiveAttentionLayer, (s, v) => s with { AttentionLayer = v }),
        new Binding<ForegroundMasking>(SettingTable.Masking, s => s.Masking, (s, v) => s with { Masking = v }),
        new Binding<BackPatchMaskingMode>(SettingTable.Bpm, s => s.Bpm, (s, v) => s with { Bpm = v }),
        new Binding<int>(SettingTable.Kernel, s => s.Kernel, (s, v) => s with { Kernel = v }),
        new Binding<double>(SettingTable.Threshold, s => s.Threshold, (s, v) => s with { Threshold = v }),
        new Binding<double>(SettingTable.TopK, s => s.TopK, (s, v) => s with { TopK = v }),
        new Binding<int>(SettingTable.Nn, s => s.NearestNeighbours, (s, v) => s with { NearestNeighbours = v }),
        new Binding<PatchDistance>(SettingTable.Distance, s => s.Distance, (s, v) => s with { Distance = v }),
        new Binding<SearchPrecision>(SettingTable.KnnPrecision, s => s.KnnPrecision, (s, v) => s with { KnnPrecision = v }),
        new Binding<BackbonePrecision>(SettingTable.BackbonePrecision, s => s.BackbonePrecision, (s, v) => s with { BackbonePrecision = v }),
        new Binding<SamplerKind>(SettingTable.Sampler, s => s.Sampler, (s, v) => s with { Sampler = v }),
        new Binding<double>(SettingTable.SamplerRatio, s => s.SamplerRatio, (s, v) => s with { SamplerRatio = v }),
        new Binding<bool>(SettingTable.RotateReferences, s => s.RotateReferences, (s, v) => s with { RotateReferences = v }),
        new Binding<int>(SettingTable.Seed, s => s.Seed, (s, v) => s with { Seed = v }),
        new Binding<int>(SettingTable.Resize, s => s.Resize, (s, v) => s with { Resize = v }),
        new Binding<int>(SettingTable.ImageSize, s => s.ImageSize, (s, v) => s with { ImageSize = v }),
    ];

    /// <summary>The detector that <paramref name="values"/> describe (settings it lacks keep their defaults),
    /// after the rules that join two settings.</summary>
    /// <exception cref="SettingException">--backbone and --checkpoint both given, or a crop larger than the resized image.</exception>
    public static DetectorSettings From(SettingValues values)
    {
        var settings = new DetectorSettings();
        foreach (var binding in Bindings.Where(b => values.Has(b.Setting)))
            settings = binding.With(settings, values.Value(binding.Setting));
        if (settings.Checkpoint is not null)
        {
            if (values.IsGiven(SettingTable.Backbone) && settings.Backbone is not null)
                throw new SettingException($"{values.Where(SettingTable.Backbone)} and {values.Where(SettingTable.Checkpoint)} exclude each other: give one of them");
            settings = settings with { Backbone = null };
        }
        return settings.CheckTogether(values.Naming());
    }

    /// <summary>Writes every setting in effect into <paramref name="values"/> (the backbone or the
    /// checkpoint, whichever is used; the attention layer in effect).</summary>
    public SettingValues WriteTo(SettingValues values)
    {
        foreach (var binding in Bindings)
            values.Include(binding.Setting).Set(binding.Setting, binding.Get(this), binding.Setting.Option);
        return values;
    }

    /// <summary>The settings as settings.json writes them, for comparisons and fingerprints.</summary>
    public string Text => WriteTo(new SettingValues([])).ToJson(SettingGroups.Detector).ToJsonString();

    /// <summary>Checks every value against the table, for settings made in code rather than from users' values.</summary>
    /// <exception cref="SettingException">the first value that is not allowed, named by its setting.</exception>
    public DetectorSettings Validate()
    {
        foreach (var binding in Bindings) binding.Check(this);
        return CheckTogether(s => s.Name);
    }

    private DetectorSettings CheckTogether(Func<Setting, string> where)
    {
        if (Backbone is null && Checkpoint is null)
            throw new SettingException($"{where(SettingTable.Backbone)}: give a backbone or a checkpoint");
        if (ImageSize > Resize)
            throw new SettingException($"{where(SettingTable.ImageSize)}: {ImageSize} is larger than the resized image " +
                $"({where(SettingTable.Resize)}: {Resize}); the crop is cut from it");
        return this;
    }
}

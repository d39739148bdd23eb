using Uniformaly.Research.Common;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Models;

/// <summary>A named pretrained backbone: its architecture and where its official weights live.</summary>
/// <param name="Name">dino_vitb8, ibot_vitb16, ...</param>
/// <param name="Architecture">The ViT shape the checkpoint must match exactly.</param>
/// <param name="WeightsFile">Path of the official file relative to the weights folder.</param>
/// <param name="Url">Where the authors publish the file; for gated weights, where access is requested.</param>
/// <param name="Gated">Whether the authors hand out download links only on request (DINOv3).</param>
public sealed record BackboneSpec(string Name, VitArchitecture Architecture, string WeightsFile, string Url, bool Gated = false);

/// <summary>
/// The backbones of the paper (docs/method.md section 2), DINOv2's and DINOv3's (section 2.1), and their
/// official checkpoints, which are read
/// from a weights folder (<c>--weights</c>, else $UNIFORMALY_WEIGHTS, then the repository's
/// weights/, then ./weights: <see cref="WeightsFolders"/>; see weights/README.md). DINO files keep
/// their release names; iBOT's are all called checkpoint_teacher.pth, so each goes in a folder
/// named after the backbone. iBOT ViT-B/16 and
/// ViT-L/16 are the random-masking ("rand_mask") teachers, the ones the UniFormaly release
/// downloads; ViT-S/16 has only the block-masking release. DINOv2 and DINOv3 files keep their release
/// names (DINOv3's with the LVD-1689M weights' hash); DINOv3's weights are gated (<see cref="BackboneSpec.Gated"/>).
/// </summary>
public static class Backbones
{
    private const string Dino = "https://dl.fbaipublicfiles.com/dino/";
    private const string Ibot = "https://lf3-nlp-opensource.bytetos.com/obj/nlp-opensource/archive/2022/ibot/";
    private const string Dinov2Url = "https://dl.fbaipublicfiles.com/dinov2/";
    private const string Dinov3Access = "https://ai.meta.com/resources/models-and-libraries/dinov3-downloads/";

    public static IReadOnlyList<BackboneSpec> All { get; } =
    [
        new("dino_vits16", VitArchitecture.Small(16), "dino_deitsmall16_pretrain.pth", Dino + "dino_deitsmall16_pretrain/dino_deitsmall16_pretrain.pth"),
        new("dino_vits8", VitArchitecture.Small(8), "dino_deitsmall8_pretrain.pth", Dino + "dino_deitsmall8_pretrain/dino_deitsmall8_pretrain.pth"),
        new("dino_vitb16", VitArchitecture.Base(16), "dino_vitbase16_pretrain.pth", Dino + "dino_vitbase16_pretrain/dino_vitbase16_pretrain.pth"),
        new("dino_vitb8", VitArchitecture.Base(8), "dino_vitbase8_pretrain.pth", Dino + "dino_vitbase8_pretrain/dino_vitbase8_pretrain.pth"),
        new("ibot_vits16", VitArchitecture.Small(16), "ibot_vits16/checkpoint_teacher.pth", Ibot + "vits_16/checkpoint_teacher.pth"),
        new("ibot_vitb16", VitArchitecture.Base(16), "ibot_vitb16/checkpoint_teacher.pth", Ibot + "vitb_16_rand_mask/checkpoint_teacher.pth"),
        new("ibot_vitl16", VitArchitecture.Large(16), "ibot_vitl16/checkpoint_teacher.pth", Ibot + "vitl_16_rand_mask/checkpoint_teacher.pth"),
        .. "sblg".SelectMany(size => new[] { Dinov2(size, registers: false), Dinov2(size, registers: true) }),
        Dinov3("s", "08c60483"),
        Dinov3("s+", "4057cbaa"),
        Dinov3("b", "73cec8be"),
        Dinov3("l", "8aa4cbdd"),
        Dinov3("h+", "7c1da9a5"),
    ];

    /// <summary>dinov2_vit{size}14[_reg]: dinov2_vits14_pretrain.pth or dinov2_vits14_reg4_pretrain.pth, as the hub names them.</summary>
    private static BackboneSpec Dinov2(char size, bool registers)
    {
        var model = $"dinov2_vit{size}14";
        var file = $"{model}{(registers ? "_reg4" : "")}_pretrain.pth";
        return new(model + (registers ? "_reg" : ""), VitArchitecture.Dinov2(size, registers), file, $"{Dinov2Url}{model}/{file}");
    }

    /// <summary>dinov3_vit{size}16[plus]: the LVD-1689M release, dinov3_vits16_pretrain_lvd1689m-08c60483.pth and so on.</summary>
    private static BackboneSpec Dinov3(string size, string hash)
    {
        var model = $"dinov3_vit{size.TrimEnd('+')}16{(size.EndsWith('+') ? "plus" : "")}";
        return new(model, VitArchitecture.Dinov3(size), $"{model}_pretrain_lvd1689m-{hash}.pth", Dinov3Access, Gated: true);
    }

    /// <summary>Names of the form random_vits16 (random_ + a DINO backbone's suffix) or
    /// random_dinov2_vits14_reg (random_ + a DINOv2 or DINOv3 backbone's name) build that architecture
    /// with seeded random weights: for demos and tests without downloads.</summary>
    public const string RandomPrefix = "random_";

    /// <summary>Every name a backbone can be loaded by: the named backbones, then their random-weight forms.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. All.Select(b => b.Name), .. All.Select(b => RandomName(b.Name)).OfType<string>()];

    private static string? RandomName(string name) =>
        name.StartsWith("dino_", StringComparison.Ordinal) ? RandomPrefix + name["dino_".Length..]
        : name.StartsWith("dinov", StringComparison.Ordinal) ? RandomPrefix + name
        : null;

    /// <summary>Whether <paramref name="name"/> asks for random weights.</summary>
    public static bool IsRandom(string name) => name.StartsWith(RandomPrefix, StringComparison.Ordinal);

    /// <summary>The architecture of one of <see cref="Names"/>, known without loading anything.</summary>
    public static VitArchitecture ArchitectureOf(string name)
    {
        if (!IsRandom(name)) return Get(name).Architecture;
        var named = name[RandomPrefix.Length..];
        return Get(named.StartsWith("dinov", StringComparison.Ordinal) ? named : "dino_" + named).Architecture;
    }

    /// <summary>The environment variable naming a weights folder.</summary>
    public const string WeightsVariable = "UNIFORMALY_WEIGHTS";

    /// <summary>Where named backbones are looked for without --weights, for option help.</summary>
    public const string DefaultWeightsFolders = "$" + WeightsVariable + ", then the repository's weights/, then ./weights";

    /// <summary>The folders a named backbone's file is looked for in, in order: only
    /// <paramref name="weightsFolder"/> when given (--weights: the user said where); else
    /// $UNIFORMALY_WEIGHTS, then weights/ of the repository this program runs from
    /// (<see cref="RepositoryRoot"/>), then weights/ in the current directory.</summary>
    public static IReadOnlyList<string> WeightsFolders(string? weightsFolder = null)
    {
        IEnumerable<string?> folders = weightsFolder is not null ? [weightsFolder]
            : [Environment.GetEnvironmentVariable(WeightsVariable) is { Length: > 0 } variable ? variable : null,
               RepositoryRoot.OfThisProgram is { } repository ? Path.Combine(repository, "weights") : null,
               "weights"];
        return folders.OfType<string>().Select(Path.GetFullPath).Distinct().ToList();
    }

    /// <exception cref="ArgumentException">unknown name; the message lists the known ones.</exception>
    public static BackboneSpec Get(string name) =>
        All.FirstOrDefault(b => b.Name == name)
        ?? throw new ArgumentException($"unknown backbone '{name}'; known: {string.Join(", ", All.Select(b => b.Name))}");

    /// <summary>The file of <paramref name="spec"/>: the first of <see cref="WeightsFolders"/> that has it.</summary>
    /// <exception cref="FileNotFoundException">in none of them; the message names every place looked in and the URL.</exception>
    public static string WeightsPath(BackboneSpec spec, string? weightsFolder = null) => Locate(spec, weightsFolder).File;

    /// <summary>The first of <see cref="WeightsFolders"/> that has <paramref name="spec"/>'s file, and that file.</summary>
    /// <exception cref="FileNotFoundException">in none of them; the message names every place looked in and the URL.</exception>
    public static (string Folder, string File) Locate(BackboneSpec spec, string? weightsFolder = null)
    {
        var folders = WeightsFolders(weightsFolder);
        var places = folders.Select(folder => Path.Combine(folder, spec.WeightsFile)).ToList();
        var found = places.FindIndex(File.Exists);
        var get = spec.Gated
            ? $"The weights are gated: request access at {spec.Url} (Meta e-mails the download links), then save {Path.GetFileName(spec.WeightsFile)} to one of these"
            : $"Download {spec.Url} to one of these";
        return found >= 0 ? (folders[found], places[found]) : throw new FileNotFoundException(
            $"weights of backbone '{spec.Name}' not found; looked for {string.Join(", ", places)}. {get} " +
            $"(or into the folder given by --weights or ${WeightsVariable}; see weights/README.md)", places[0]);
    }

    /// <summary>Loads a named backbone from the weights folders onto <paramref name="device"/>.</summary>
    /// <exception cref="FileNotFoundException">the file is missing; the message names every place looked in and the URL.</exception>
    public static VisionTransformer Load(string name, Device? device = null, string? weightsFolder = null,
        BackbonePrecision precision = BackbonePrecision.Float32)
    {
        var spec = Get(name);
        return VisionTransformer.Load(WeightsPath(spec, weightsFolder), spec.Architecture, device, precision);
    }
}

using System.Reflection;
using System.Text.RegularExpressions;
using NUnit.Framework;
using Uniformaly.Research.Bank;
using Uniformaly.Research.Common;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Search;
using Uniformaly.Research.Settings;

namespace Uniformaly.Tests.Settings;

/// <summary>The settings table: one declaration per setting, the paper's defaults, and every value
/// it refuses refused in the setting's words.</summary>
public sealed class SettingTableTests
{
    [Test]
    public void Defaults_AreThePapers()
    {
        var s = new DetectorSettings().Validate();
        Assert.That(s.Layers, Is.EqualTo(new[] { 3, 4, 5, 6, 7, 8, 9, 10 }));
        Assert.That(s.EffectiveAttentionLayer, Is.EqualTo(10), "the highest-numbered block of the layers");
        Assert.That((s.Kernel, s.Threshold, s.TopK, s.NearestNeighbours, s.SamplerRatio, s.Resize, s.ImageSize), Is.EqualTo((7, 0.1, 0.05, 1, 0.1, 256, 224)));
        Assert.That((s.Bpm, s.Sampler, s.KnnPrecision, s.Backbone, s.Seed),
            Is.EqualTo((BackPatchMaskingMode.Binary, SamplerKind.Coreset, SearchPrecision.Float32, "dino_vitb8", 0)));
        Assert.That((s.Masking, s.Distance, s.RotateReferences), Is.EqualTo((ForegroundMasking.Bpm, PatchDistance.L2, false)),
            "UniFormaly's recipe: BPM, squared L2, no rotated references");
    }

    [Test]
    public void Names_AreKebabCase_AndEachDeclaredOnce()
    {
        var names = SettingGroups.All.Select(s => s.Name).ToList();
        Assert.That(names, Is.Unique);
        Assert.That(names, Has.All.Matches(new Regex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$")));
    }

    /// <summary>Every settable property of DetectorSettings is one setting of the table, bound once,
    /// and the binding writes that property alone: a setting added to one but not the other fails here.</summary>
    [Test]
    public void DetectorSettings_BindsEachPropertyToOneSetting()
    {
        var properties = typeof(DetectorSettings).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToList();
        Assert.That(DetectorSettings.Bindings.Select(b => b.Setting), Is.EquivalentTo(SettingGroups.Detector));
        Assert.That(DetectorSettings.Bindings, Has.Count.EqualTo(properties.Count));
        var defaults = new DetectorSettings();
        foreach (var binding in DetectorSettings.Bindings)
        {
            var other = binding.Setting.ParseValue([Different(binding.Setting)], "test");
            var changed = binding.With(defaults, other);
            var differing = properties.Where(p => !Equals(Text(p.GetValue(changed)), Text(p.GetValue(defaults)))).Select(p => p.Name).ToList();
            Assert.That(differing, Has.Count.EqualTo(1), $"{binding.Setting.Name} sets exactly one property");
        }
    }

    /// <summary>A value of <paramref name="setting"/> other than its default.</summary>
    private static string Different(Setting setting) => setting.Name switch
    {
        "backbone" => "dino_vits16",
        "checkpoint" => "/x.pth",
        "layers" => "1-3",
        "attention-layer" or "kernel" => "3",
        "bpm" => "soft",
        "masking" => "pca",
        "distance" => "cosine",
        "rotate-references" => "true",
        "knn-precision" or "backbone-precision" => "bf16",
        "sampler" => "random",
        "nn" or "seed" => "5",
        "resize" or "imagesize" => "100",
        _ => "0.5",
    };

    private static string? Text(object? value) => value is int[] list ? string.Join(",", list) : value?.ToString();

    /// <summary>Each kind of value, wrong: the message names the option and what it accepts, and no .NET type.</summary>
    [TestCase("threads", "0", "--threads: '0' is not a whole number from 1 to 1024")]
    [TestCase("topk", "abc", "--topk: 'abc' is not a number in (0, 1]")]
    [TestCase("topk", "NaN", "--topk: 'NaN' is not a number in (0, 1]")]
    [TestCase("kernel", "8", "--kernel: '8' is not an odd whole number from 1 to 99")]
    [TestCase("kernel", "99999999999", "--kernel: '99999999999' is not an odd whole number")]
    [TestCase("threshold", "1", "--threshold: '1' is not a number in [0, 1)")]
    [TestCase("dataset", "mvtecc", "--dataset: 'mvtecc' is not one of mvtec, btad, folder, cifar10, cifar100 or imagefolder")]
    [TestCase("knn-precision", "fp8", "--knn-precision: 'fp8' is not float32 or bf16")]
    [TestCase("backbone", "dino_vitb9", "--backbone: 'dino_vitb9' is not one of dino_vits16")]
    [TestCase("layers", "0-3", "--layers: '0-3' is not 1-based block numbers")]
    [TestCase("layers", "3,3", "--layers: '3,3' is not")]
    [TestCase("layers", "5-3", "--layers: '5-3' is not")]
    [TestCase("layers", "1-2147483647", "--layers: '1-2147483647' is not 1-based block numbers up to 1000")]
    [TestCase("multiclass", "maybe", "--multiclass: 'maybe' is not true or false")]
    [TestCase("device", "gpu", "--device: 'gpu' is not cpu, cuda or cuda:N")]
    [TestCase("resize", "99999999", "--resize: '99999999' is not a whole number from 1 to 8192")]
    [TestCase("normal-split", "F", "--normal-split: 'F' is not one of A, B, C, D or E")]
    public void BadValues_AreRefusedInTheSettingsWords(string name, string text, string message)
    {
        var setting = SettingGroups.All.Single(s => s.Name == name);
        var e = Assert.Throws<SettingException>(() => setting.ParseValue([text], setting.Option))!;
        Assert.That(e.Message, Does.StartWith(message));
        Assert.That(e.Message, Does.Not.Contain("System.").And.Not.Contain("Parameter"));
    }

    [TestCase("3-10", new[] { 3, 4, 5, 6, 7, 8, 9, 10 }, "3-10")]
    [TestCase("3,5,7", new[] { 3, 5, 7 }, "3,5,7")]
    [TestCase("1-3, 8", new[] { 1, 2, 3, 8 }, "1-3,8")]
    public void Layers_ParseAndFormat(string text, int[] layers, string formatted)
    {
        Assert.That(SettingTable.Layers.Parse(text, "test"), Is.EqualTo(layers));
        Assert.That(SettingTable.Layers.Format(layers), Is.EqualTo(formatted));
    }

    [Test]
    public void TogetherRules_NameBothSettingsWhereTheyCameFrom()
    {
        var values = new SettingValues(SettingGroups.Detector);
        values.Parse(SettingTable.ImageSize, ["300"], "run.yaml: imagesize (line 3)");
        var e = Assert.Throws<SettingException>(() => DetectorSettings.From(values))!;
        Assert.That(e.Message, Is.EqualTo("run.yaml: imagesize (line 3): 300 is larger than the resized image (--resize: 256); the crop is cut from it"));

        values = new SettingValues(SettingGroups.Detector);
        values.Parse(SettingTable.Backbone, ["dino_vits16"], "--backbone");
        values.Parse(SettingTable.Checkpoint, ["x.pth"], "--checkpoint");
        Assert.That(Assert.Throws<SettingException>(() => DetectorSettings.From(values))!.Message,
            Is.EqualTo("--backbone and --checkpoint exclude each other: give one of them"));
    }

    [Test]
    public void ACheckpoint_ReplacesTheDefaultBackbone()
    {
        var values = new SettingValues(SettingGroups.Detector);
        values.Parse(SettingTable.Checkpoint, ["x.pth"], "--checkpoint");
        var settings = DetectorSettings.From(values);
        Assert.That((settings.Backbone, settings.Checkpoint), Is.EqualTo(((string?)null, Path.GetFullPath("x.pth"))));
        Assert.That(settings.WriteTo(new SettingValues([])).ToJson(SettingGroups.All).ContainsKey("backbone"), Is.False, "only the source in effect is written");
    }

    [Test]
    public void Validate_NamesTheSettingOfAValueMadeInCode()
    {
        Assert.That(Assert.Throws<SettingException>(() => new DetectorSettings { Kernel = 6 }.Validate())!.Message,
            Does.StartWith("kernel: '6' is not an odd whole number"));
        Assert.That(Assert.Throws<SettingException>(() => new DetectorSettings { SamplerRatio = 0 }.Validate())!.Message,
            Does.StartWith("sampler-ratio: '0' is not a number in (0, 1]"));
    }

    [Test]
    public void LongLists_AreSummarised()
    {
        var names = Enumerable.Range(1, 40).Select(i => $"c{i}").ToList();
        Assert.That(TextList.Commas(names), Is.EqualTo("c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, ..., c40 (40 in all)"));
        Assert.That(TextList.Or(["a", "b", "c"]), Is.EqualTo("a, b or c"));
    }

    [TestCase("--heatmap", "--heatmaps")]
    [TestCase("--precision", "--knn-precision")]
    [TestCase("--colour", null)]
    public void Closest_SuggestsTheOptionMeant(string typed, string? expected) =>
        Assert.That(TextList.Closest(typed, ["--heatmaps", "--knn-precision", "--images", "--model"]), Is.EqualTo(expected));
}

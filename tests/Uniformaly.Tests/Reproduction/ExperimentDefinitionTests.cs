using NUnit.Framework;
using Uniformaly.Experiments.Reproduction;
using Uniformaly.Research.Common;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Scoring;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Models;
using Uniformaly.Research.Search;

namespace Uniformaly.Tests.Reproduction;

/// <summary>Experiment YAML: what the paper's definitions say, and clear errors for edited ones.</summary>
public sealed class ExperimentDefinitionTests
{
    [Test]
    public void Table9_SweepsKernelSizes_OnThreeTasksWithThePapersRatios()
    {
        var table9 = ExperimentLibrary.Load("table9");
        Assert.That(table9.Sweep!.Parameter, Is.EqualTo("kernel"));
        Assert.That(table9.Points, Is.EqualTo(new[] { "1", "3", "5", "7", "9", "11", "13" }));
        Assert.That(table9.Tasks.Select(t => (t.Name, t.Protocol, t.MultiClass, t.Settings.Single(e => e.Setting == SettingTable.SamplerRatio).Text)), Is.EqualTo(new[]
        {
            ("defect", Protocol.Detection, false, "0.1"), ("semantic", Protocol.Semantic, false, "0.01"), ("multiclass", Protocol.Detection, true, "0.05"),
        }));
        Assert.That(table9.Tasks[1].Kind, Is.EqualTo("imagefolder"));
        Assert.That(table9.Backbone, Is.EqualTo("dino_vitb8"));
    }

    private static string Minimal(string extra = "", string task = "{name: t, data: mvtec}") =>
        $"name: x\ntitle: x\nbackbone: dino_vitb8\n{extra}tasks:\n  - {task}\n";

    [TestCase("colour: red\n", "unknown key 'colour'")]
    [TestCase("sweep: {parameter: kernel}\n", "sweep needs 'values'")]
    [TestCase("sweep: {parameter: kernel, values: [3, 4]}\n", "my.yaml: sweep: kernel: '4' is not an odd whole number")]
    [TestCase("sweep: {parameter: kernal, values: [3]}\n", "'kernal' is not a setting here")]
    [TestCase("sweep: {parameter: low-shot, values: [two]}\n", "my.yaml: sweep: low-shot: 'two' is not a whole number from 1 to 2147483647")]
    [TestCase("sweep: {parameter: bpm, points: {x: {bpm: soft, threshold: 2}}}\n", "my.yaml: sweep: point 'x': threshold (line 4): '2' is not a number in [0, 1)")]
    [TestCase("settings: {kernel: seven}\n", "my.yaml: top level: settings: kernel (line 4): 'seven' is not an odd whole number")]
    [TestCase("settings: {sampler: greedy}\n", "'greedy' is not one of identity, random or coreset")]
    [TestCase("gallery: many\n", "'gallery' must be an integer")]
    public void BadTopLevel_NamesFileAndKey(string extra, string message)
    {
        var error = Assert.Throws<SettingException>(() => ExperimentDefinitionReader.Read(Minimal(extra), "my.yaml"))!;
        Assert.That(error.Message, Does.StartWith("my.yaml").And.Contain(message));
    }

    [TestCase("{name: t, data: mvtec, metrics: [image_aurok]}", "unknown metric 'image_aurok'")]
    [TestCase("{name: t, data: mydata}", "'mydata' is not a known dataset folder")]
    [TestCase("{name: t, data: mvtec, protocol: magic}", "protocol 'magic'")]
    [TestCase("{name: t, data: species60, metrics: [pixel_auroc]}", "unknown metric 'pixel_auroc' for semantic")]
    [TestCase("{name: t, data: species60, normal: ['split:F']}", "normal: 'F' is not one of A, B, C, D or E")]
    [TestCase("{name: t, data: mydata, kind: mvtecc}", "kind: 'mvtecc' is not one of mvtec, btad, folder")]
    public void BadTask_NamesTheTask(string task, string message)
    {
        var error = Assert.Throws<SettingException>(() => ExperimentDefinitionReader.Read(Minimal(task: task), "my.yaml"))!;
        Assert.That(error.Message, Does.StartWith("my.yaml: task 1").And.Contain(message));
    }

    [Test]
    public void UnknownFolder_WithAKind_IsAccepted()
    {
        var definition = ExperimentDefinitionReader.Read(Minimal(task: "{name: t, data: mydata, kind: folder}"), "my.yaml");
        Assert.That(definition.Tasks[0].Kind, Is.EqualTo("folder"));
        Assert.That(definition.Tasks[0].Metrics, Is.EqualTo(new[] { "image_auroc", "pixel_auroc" }));
    }

    [Test]
    public void NotYaml_FailsClearly() =>
        Assert.That(Assert.Throws<SettingException>(() => ExperimentDefinitionReader.Read("name: [unclosed", "bad.yaml"))!.Message,
            Does.StartWith("bad.yaml: not valid YAML"));

    /// <summary>Table 10's points each set two settings: binary masking at a threshold, or soft.</summary>
    [Test]
    public void Table10_PointsSetTheMaskingAndItsThreshold()
    {
        var sweep = ExperimentLibrary.Load("table10").Sweep!;
        Assert.That(sweep.Values, Is.EqualTo(new[] { "binary_0.1", "binary_0.2", "binary_0.3", "soft" }));
        var values = new SettingValues(SettingGroups.Cell);
        foreach (var entry in sweep.Point("binary_0.2").Settings) entry.ApplyTo(values);
        var settings = DetectorSettings.From(values);
        Assert.That((settings.Bpm, settings.Threshold), Is.EqualTo((BackPatchMaskingMode.Binary, 0.2)));
    }

    /// <summary>Table 8's points: the clustering feature, and k for the top-k ones.</summary>
    [Test]
    public void Table8_PointsSetTheSelectorAndK()
    {
        var sweep = ExperimentLibrary.Load("table8").Sweep!;
        var values = new SettingValues(SettingGroups.Cell);
        foreach (var entry in sweep.Point("topk_1").Settings) entry.ApplyTo(values);
        Assert.That((values.Get(SettingTable.Selector), values.Get(SettingTable.TopK)), Is.EqualTo((PatchSelector.TopK, 0.01)));
    }

    [Test]
    public void SetOverride_IsCheckedByTheTable() =>
        Assert.That(Assert.Throws<SettingException>(() => SettingText.Of(SettingGroups.Cell, "knn-precision", "fp8", "--set knn-precision"))!.Message,
            Is.EqualTo("--set knn-precision: 'fp8' is not float32 or bf16"));

    [TestCase("knn-precision", "bf16")]
    [TestCase("backbone-precision", "bf16")]
    public void PrecisionSettings_AreCellKeys(string key, string value)
    {
        var values = new SettingValues(SettingGroups.Cell);
        SettingText.Of(SettingGroups.Cell, key, value, $"--set {key}").ApplyTo(values);
        var settings = DetectorSettings.From(values);
        Assert.That((settings.KnnPrecision, settings.BackbonePrecision), Is.EqualTo(key == "knn-precision"
            ? (SearchPrecision.CertifiedBFloat16, BackbonePrecision.Float32) : (SearchPrecision.Float32, BackbonePrecision.BFloat16)));
    }

    [TestCase("dino_vitb8", "dino")]
    [TestCase("ibot_vitb16", "ibot")]
    [TestCase("random_vits16", "dino")]
    [TestCase("/weights/ibot_vitb16_teacher.pth", "ibot")]
    public void PaperFamily_FollowsTheBackbone(string backbone, string family) =>
        Assert.That(ReproductionReport.Family(backbone), Is.EqualTo(family));
}

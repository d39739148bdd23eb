using NUnit.Framework;
using Uniformaly.Experiments.Reproduction;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Models;

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
        Assert.That(table9.Tasks.Select(t => (t.Name, t.Protocol, t.MultiClass, t.Settings["sampler-ratio"])), Is.EqualTo(new[]
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
    [TestCase("gallery: many\n", "'gallery' must be an integer")]
    public void BadTopLevel_NamesFileAndKey(string extra, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => ExperimentDefinitionReader.Read(Minimal(extra), "my.yaml"))!;
        Assert.That(error.Message, Does.StartWith("my.yaml").And.Contain(message));
    }

    [TestCase("{name: t, data: mvtec, metrics: [image_aurok]}", "unknown metric 'image_aurok'")]
    [TestCase("{name: t, data: mydata}", "'mydata' is not a known dataset folder")]
    [TestCase("{name: t, data: mvtec, protocol: magic}", "protocol 'magic'")]
    [TestCase("{name: t, data: species60, metrics: [pixel_auroc]}", "unknown metric 'pixel_auroc' for semantic")]
    public void BadTask_NamesTheTask(string task, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => ExperimentDefinitionReader.Read(Minimal(task: task), "my.yaml"))!;
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
        Assert.That(Assert.Throws<ArgumentException>(() => ExperimentDefinitionReader.Read("name: [unclosed", "bad.yaml"))!.Message,
            Does.StartWith("bad.yaml: not valid YAML"));

    [Test]
    public void KnnPrecisionSetting_PicksTheCertifiedSearch() =>
        Assert.That(SettingKeys.Apply(new DetectorSettings(), "knn-precision", "bf16", "here").KnnPrecision, Is.EqualTo(SearchPrecision.CertifiedBFloat16));

    [Test]
    public void BackbonePrecisionSetting_PicksBFloat16() =>
        Assert.That(SettingKeys.Apply(new DetectorSettings(), "backbone-precision", "bf16", "here").BackbonePrecision, Is.EqualTo(BackbonePrecision.BFloat16));

    [TestCase("binary_0.2", BackPatchMaskingMode.Binary, 0.2)]
    [TestCase("binary", BackPatchMaskingMode.Binary, 0.1)]
    [TestCase("soft", BackPatchMaskingMode.Soft, 0.1)]
    [TestCase("off", BackPatchMaskingMode.Off, 0.1)]
    public void BpmSetting_SetsModeAndThreshold(string value, BackPatchMaskingMode mode, double threshold)
    {
        var settings = SettingKeys.Apply(new DetectorSettings(), "bpm", value, "here");
        Assert.That((settings.Masking, settings.Threshold), Is.EqualTo((mode, threshold)));
    }

    [TestCase("bpm", "soft_0.2", "expected binary, binary_<lambda>, soft or off")]
    [TestCase("kernel", "seven", "here: setting 'kernel: seven'")]
    [TestCase("sampler", "greedy", "here: setting 'sampler: greedy'")]
    [TestCase("knn-precision", "fp8", "knn-precision must be float32 or bf16")]
    [TestCase("backbone-precision", "fp16", "backbone-precision must be float32 or bf16")]
    public void BadSetting_NamesIt(string key, string value, string message) =>
        Assert.That(Assert.Throws<ArgumentException>(() => SettingKeys.Apply(new DetectorSettings(), key, value, "here"))!.Message, Does.Contain(message));

    [TestCase("dino_vitb8", "dino")]
    [TestCase("ibot_vitb16", "ibot")]
    [TestCase("random_vits16", "dino")]
    [TestCase("/weights/ibot_vitb16_teacher.pth", "ibot")]
    public void PaperFamily_FollowsTheBackbone(string backbone, string family) =>
        Assert.That(ReproductionReport.Family(backbone), Is.EqualTo(family));
}

using System.Text.Json;
using NUnit.Framework;

namespace Uniformaly.Tests.Cli;

/// <summary>What `run` and `cluster` say about what they could not measure: metrics a test set of one
/// class cannot define, defect images without masks, and how many patches Back Patch Masking removed.</summary>
public sealed class HonestReportTests
{
    private static (int Code, string Out, string Error, JsonDocument Metrics, string Markdown) Run(string data, string output, params string[] more)
    {
        var (code, stdout, error) = CliRunner.Run(["run", "--dataset", "folder", "--data-root", data, "--out", output, .. RunCommandTests.Model, .. more]);
        Assert.That(code, Is.EqualTo(0), error);
        return (code, stdout, error, JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "metrics.json"))), File.ReadAllText(Path.Combine(output, "metrics.md")));
    }

    /// <summary>Only normal test images: every image is scored and written; the metrics are undefined, saying why, not a failure.</summary>
    [Test]
    [Category("Slow")]
    public void ATestSetOfNormalImagesOnly_WritesScores_AndReportsTheMetricsAsUndefined()
    {
        using var data = new TempFolder();
        RunFixture.WriteRunData(data.Path);
        foreach (var category in new[] { "synth_object", "synth_texture" })
        {
            foreach (var defect in new[] { "scratch", "hole", "stain" }) Directory.Delete(Path.Combine(data.Path, category, "test", defect), recursive: true);
            Directory.Delete(Path.Combine(data.Path, category, "ground_truth"), recursive: true);
        }
        using var output = new TempFolder();
        var (_, stdout, _, metrics, markdown) = Run(data.Path, output.Path);
        using (metrics)
        {
            Assert.That(File.ReadAllLines(Path.Combine(output.Path, "scores.csv")), Has.Length.EqualTo(1 + 2 * 3), "every normal test image scored");
            var category = metrics.RootElement.GetProperty("categories").GetProperty("synth_object");
            Assert.That(category.GetProperty("image_auroc").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(category.GetProperty("undefined").GetProperty("image_auroc").GetString(), Does.Contain("no defect images"));
            Assert.That(metrics.RootElement.GetProperty("overall").GetProperty("undefined").GetProperty("image_auroc").GetString(),
                Is.EqualTo("undefined for synth_object, synth_texture"));
        }
        Assert.That(markdown, Does.Contain("| synth_object | undefined | undefined |").And.Contain("the test set has no defect images"));
        Assert.That(File.ReadAllLines(Path.Combine(output.Path, "metrics.csv"))[1], Does.StartWith("synth_object,undefined,undefined,"));
        Assert.That(stdout, Does.Contain("undefined: image AUROC"));
    }

    /// <summary>A defect image whose mask is missing: a warning on the console and in metrics.json, and the pixel
    /// metrics leave it out (not scored as defect-free). The report counts what BPM removed.</summary>
    [Test]
    [Category("Slow")]
    public void ADefectImageWithoutItsMask_IsAWarning_AndEveryReportCountsWhatBpmRemoved()
    {
        using var data = new TempFolder();
        RunFixture.WriteRunData(data.Path);
        File.Delete(Path.Combine(data.Path, "synth_object", "ground_truth", "hole", "000_mask.png"));
        using var output = new TempFolder();
        var (_, _, error, metrics, markdown) = Run(data.Path, output.Path);
        using (metrics)
        {
            const string warning = "synth_object: 1 defect image has no ground-truth mask";
            Assert.That(error, Does.Contain("warning: " + warning).And.Contain("synth_object/test/hole/000.png"));
            Assert.That(metrics.RootElement.GetProperty("warnings")[0].GetString(), Does.StartWith(warning));
            var bpm = metrics.RootElement.GetProperty("categories").GetProperty("synth_object").GetProperty("back_patch_masking");
            // 4 training and 6 test images of 64 px in 16 px patches: 16 patches each.
            Assert.That(bpm.GetProperty("train_patches").GetInt64(), Is.EqualTo(4 * 16));
            Assert.That(bpm.GetProperty("test_patches").GetInt64(), Is.EqualTo(6 * 16));
            Assert.That(bpm.GetProperty("mode").GetString(), Is.EqualTo("binary"));
            var overall = metrics.RootElement.GetProperty("overall").GetProperty("back_patch_masking");
            Assert.That(overall.GetProperty("train_patches").GetInt64(), Is.EqualTo(2 * 4 * 16));
        }
        Assert.That(markdown, Does.Contain("Back Patch Masking (binary) kept").And.Contain("of the 128 training patches"));
    }

    /// <summary>BPM off, or binary at lambda 0 on attention that is never 0, removes nothing: the report says it had no effect.</summary>
    [Test]
    [Category("Slow")]
    public void BinaryMaskingThatRemovedNothing_IsReportedAsHavingNoEffect()
    {
        using var data = new TempFolder();
        RunFixture.WriteRunData(data.Path);
        using var output = new TempFolder();
        var (_, _, _, metrics, markdown) = Run(data.Path, output.Path, "--threshold", "0", "--categories", "synth_texture");
        using (metrics)
        {
            var bpm = metrics.RootElement.GetProperty("overall").GetProperty("back_patch_masking");
            Assert.That((bpm.GetProperty("train_removed").GetInt64(), bpm.GetProperty("test_removed").GetInt64()), Is.EqualTo((0L, 0L)));
            Assert.That(bpm.GetProperty("no_effect").GetBoolean(), Is.True);
        }
        Assert.That(markdown, Does.Contain("BPM had no effect on these results").And.Contain("cannot show its effect"));
    }
}

using NUnit.Framework;
using Uniformaly.Experiments.Reproduction;
using Uniformaly.Research.Masking;

namespace Uniformaly.Tests.Reproduction;

/// <summary>What a reproduction's report says about data that is not the paper's and about Back Patch Masking.</summary>
public sealed class ReproductionReportTests
{
    private static readonly ExperimentDefinition Table9 = ExperimentLibrary.Load("table9");

    private static CellResult Cell(string unit, string point, long testRemoved) =>
        new("defect", point, "fingerprint", [new UnitResult(unit, new() { ["image_auroc"] = 0.9, ["pixel_auroc"] = 0.8 })], 1)
        {
            Masking = new MaskedPatches(BackPatchMaskingMode.Binary, new PatchCount(3920, 0), new PatchCount(4312, testRemoved)),
        };

    private static string Report(TempFolder folder, params CellResult[] cells) =>
        ReproductionReport.Write(folder.Path, Table9, new ReproductionResult(cells, [], ["backbone: random"], 0, 0, 0),
            new ReproductionOptions { DataRoot = folder.Path, Output = folder.Path, Backbone = "random_vits16" });

    /// <summary>`uniformaly synth`'s categories are named as a stand-in in every row; the paper's number stays, the difference goes.</summary>
    [Test]
    public void StandInRows_SayTheyAreNotThePapersDataset_AndTakeNoDifference()
    {
        using var folder = new TempFolder();
        var markdown = Report(folder, Cell("synth_object", "7", 5));
        var row = ReproductionReport.Rows(Table9, [Cell("synth_object", "7", 5)], "random_vits16").First(r => r.Metric == "image_auroc");
        Assert.That((row.Data, row.StandIn, row.Paper), Is.EqualTo(("synthetic stand-in, not MVTec AD", true, 99.32)));
        Assert.That(row.Difference, Is.NaN);
        Assert.That(markdown, Does.Contain("| defect | mean | synthetic stand-in, not MVTec AD | image_auroc | 7 | 90.00 | 99.32 | - |"));
        Assert.That(markdown, Does.Contain("not on the paper's dataset"));
        Assert.That(File.ReadAllText(Path.Combine(folder.Path, "table9.csv")), Does.Contain("\"synthetic stand-in, not MVTec AD\""));
        var real = ReproductionReport.Rows(Table9, [Cell("bottle", "7", 5)], "dino_vitb8").First(r => r.Metric == "image_auroc");
        Assert.That((real.Data, real.StandIn), Is.EqualTo(("MVTec AD", false)));
        Assert.That(real.Difference, Is.EqualTo(90 - 99.32).Within(1e-9));
    }

    /// <summary>Every report counts what BPM removed per cell; a kernel sweep where binary BPM removed nothing says it cannot show BPM's effect.</summary>
    [Test]
    public void AKernelSweepWhoseBpmRemovedNothing_SaysItCannotShowTheEffect()
    {
        using var folder = new TempFolder();
        var markdown = Report(folder, Cell("synth_object", "1", 0), Cell("synth_object", "7", 0));
        Assert.That(markdown, Does.Contain("| task | kernel | BPM | training patches removed | test patch scores zeroed |")
            .And.Contain("| defect | 1 | binary | none of 3,920 | none of 4,312 |"));
        Assert.That(markdown, Does.Contain("**Binary BPM removed no patch in any cell**").And.Contain("this kernel sweep cannot show BPM's effect"));

        var some = Report(folder, Cell("synth_object", "1", 0), Cell("synth_object", "7", 431));
        Assert.That(some, Does.Contain("| defect | 7 | binary | none of 3,920 | 431 of 4,312 (10.0 %) |")
            .And.Contain("**Binary BPM removed no patch in defect at kernel=1**"));
        Assert.That(Report(folder, Cell("synth_object", "7", 431)), Does.Not.Contain("removed no patch"));
    }
}

using NUnit.Framework;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Tests.Cli;
using Uniformaly.Tests.Parity;

namespace Uniformaly.Tests.Reproduction;

/// <summary>
/// `reproduce` fails loudly where nothing ran (issue 11, "What was seen" item 4): no dataset under
/// --data-root, or --data-root given as a dataset's own folder, exits non-zero with one line and
/// writes no report; a partial run exits 0 and says what it skipped; the report always names the
/// backbone, also when every cell was reused.
/// </summary>
public sealed class ReproduceNothingRanTests
{
    private static TempFolder _data = null!;

    /// <summary>Only mvtec/ (two small synthetic categories): tasks on other datasets are skipped.</summary>
    [OneTimeSetUp]
    public static void WriteMvtecOnly()
    {
        _data = new TempFolder();
        SyntheticDataset.Write(Path.Combine(_data.Path, "mvtec"), new SyntheticDatasetOptions { TrainImages = 3, TestGoodImages = 2, TestImagesPerDefect = 1, Size = 64 });
    }

    [OneTimeTearDown]
    public static void Delete() => _data.Dispose();

    private static (int Code, string Out, string Error) Reproduce(string name, string dataRoot, string output) =>
        CliRunner.Run(["reproduce", name, "--data-root", dataRoot, "--out", output, "--no-cache", "--categories", "synth_object", .. StandIns.TinyModel]);

    /// <summary>A definition with one task on mvtec/ and one on species60/, which is not there.</summary>
    private static string TwoTasks(string folder)
    {
        var yaml = Path.Combine(folder, "two.yaml");
        File.WriteAllText(yaml, """
            name: two
            title: one task that runs, one whose data is missing
            backbone: dino_vitb8
            tasks:
              - {name: defects, data: mvtec, metrics: [image_auroc]}
              - {name: species, data: species60, normal: each}
            """);
        return yaml;
    }

    private static string LastLine(string text) => text.TrimEnd().Split('\n')[^1];

    [Test]
    public void NoDatasetUnderTheDataRoot_ExitsNonZero_WithOneLine_AndKeepsTheEarlierReport()
    {
        using var empty = new TempFolder();
        using var output = new TempFolder();
        var earlier = Path.Combine(output.Path, "table2", "README.md");
        Directory.CreateDirectory(Path.GetDirectoryName(earlier)!);
        File.WriteAllText(earlier, "an earlier report");
        var (code, stdout, error) = Reproduce("table2", empty.Path, output.Path);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(LastLine(error), Is.EqualTo($"error: nothing ran: none of the datasets table2 needs (mtd/, btad/, cpd/) is under --data-root {empty.Path}; " +
            "the skipped tasks above say where to get each"));
        Assert.That(error, Does.Contain("skipping BTAD").And.Contain("github.com/pankajmishra000/VT-ADL"));
        Assert.That(stdout, Does.Not.Contain("Backbone"), "no empty report");
        Assert.That(File.ReadAllText(earlier), Is.EqualTo("an earlier report"));
        Assert.That(Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(earlier)!).Count(), Is.EqualTo(1));
    }

    [Test]
    public void All_WithNoDataset_NamesEveryFolderTheReproductionsNeed()
    {
        using var empty = new TempFolder();
        using var output = new TempFolder();
        var (code, _, error) = Reproduce("all", empty.Path, output.Path);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(LastLine(error), Does.StartWith("error: nothing ran: none of the datasets the reproductions need (mvtec/, mtd/, btad/, cpd/, cifar10/"));
        Assert.That(Directory.EnumerateFileSystemEntries(output.Path), Is.Empty);
    }

    [Test]
    public void TheDatasetFolderGivenAsTheDataRoot_IsNamedAsSuch()
    {
        using var output = new TempFolder();
        var mvtec = Path.Combine(_data.Path, "mvtec");
        var (code, _, error) = Reproduce("table9", mvtec, output.Path);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(LastLine(error), Is.EqualTo($"error: nothing ran: --data-root is the folder that holds mvtec/, species60/; {mvtec} looks like MVTec AD itself: use {_data.Path}"));
        (code, _, error) = Reproduce("table1", Path.Combine(mvtec, "synth_object"), output.Path);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(LastLine(error), Is.EqualTo($"error: nothing ran: --data-root is the folder that holds mvtec/; {mvtec}/synth_object is a folder inside MVTec AD: use {_data.Path}"));
    }

    [Test]
    public void ADatasetUnderAnotherName_IsRecognisedByItsLayout()
    {
        using var root = new TempFolder();
        var renamed = Path.Combine(root.Path, "MVTec_AD");
        SyntheticDataset.Write(renamed, new SyntheticDatasetOptions { TrainImages = 1, TestGoodImages = 1, TestImagesPerDefect = 1, Size = 32, Categories = ["synth_object"] });
        using var output = new TempFolder();
        var (code, _, error) = Reproduce("table1", renamed, output.Path);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(LastLine(error), Is.EqualTo($"error: nothing ran: --data-root is the folder that holds mvtec/; {renamed} looks like an MVTec-layout dataset " +
            "(its folders have train/ and test/) itself: give the folder above the datasets, each in a folder of the name listed"));
    }

    [Test]
    public void APartialRun_ExitsZero_SaysWhatWasSkipped_AndNamesTheBackboneEvenWhenEveryCellIsReused()
    {
        using var output = new TempFolder();
        var yaml = TwoTasks(output.Path);
        var (code, stdout, error) = Reproduce(yaml, _data.Path, output.Path);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout, Does.Contain("- skipped **species**: " + Path.Combine(_data.Path, "species60") + " not found"));
        Assert.That(stdout, Does.Contain("note: 1 of 2 tasks skipped, their data missing under --data-root: species"));
        Assert.That(stdout, Does.Contain($"Backbone: ViT D=").And.Contain($"from {ParityFixture.Checkpoint}. Paper column"));
        Assert.That(stdout, Does.Not.Contain("Backbone: backbone:"));

        (code, stdout, error) = Reproduce(yaml, _data.Path, output.Path);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout, Does.Contain("1 reused from an earlier run"));
        Assert.That(stdout, Does.Contain($"Backbone: {ParityFixture.Checkpoint} (not loaded: every cell was reused from an earlier run)."));
        Assert.That(File.ReadAllText(Path.Combine(output.Path, "two", "README.md")), Does.Not.Contain("Backbone: ."));
    }
}

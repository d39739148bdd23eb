using NUnit.Framework;
using Uniformaly.Research.Reporting;

namespace Uniformaly.Tests.Reporting;

public sealed class PaperResultsTests
{
    [Test]
    public void EveryTable_LoadsAndItsNumericCellsParse()
    {
        Assert.That(PaperResults.Names, Has.Count.EqualTo(18));
        foreach (var name in PaperResults.Names)
        {
            var table = PaperResults.Load(name);
            Assert.That(table.RowKeys, Is.Not.Empty, name);
            if (name == "uniformaly_species60_splits") continue; // lists of class indices, not numbers
            var keyColumns = table.Columns[1] == "metric" ? 2 : 1;
            foreach (var row in table.RowKeys)
            foreach (var column in table.Columns.Skip(keyColumns).Where(c => c != "source")) // where a number was transcribed from
                Assert.DoesNotThrow(() => table.Value(row, column), $"{name} {row} {column}");
        }
    }

    [Test]
    public void KnownValues_MatchThePapers()
    {
        Assert.That(PaperResults.Value("uniformaly_table14_mvtec_per_class", "screw", "dino_image"), Is.EqualTo(96.15));
        Assert.That(PaperResults.Value("uniformaly_table14_mvtec_per_class", "mean", "dino_pixel"), Is.EqualTo(98.47));
        Assert.That(PaperResults.Value("uniformaly_table9_kernel_size", "defect/image_auroc", "n7"), Is.EqualTo(99.32));
        Assert.That(PaperResults.Value("uniformaly_table10_threshold", "semantic/image_auroc", "soft"), Is.EqualTo(90.49));
        Assert.That(PaperResults.Value("uniformaly_table7_clustering", "NMI", "dino"), Is.EqualTo(0.547));
        Assert.That(PaperResults.Value("dinomaly_mvtec_multiclass", "UniAD", "p_aupro"), Is.EqualTo(90.7));
        Assert.That(PaperResults.Load("uniformaly_table14_mvtec_per_class").RowKeys, Has.Count.EqualTo(17)); // 15 classes, mean, std
        Assert.That(PaperResults.Value("anomalydino_mvtec_fewshot", "anomalydino/image_auroc", "shots_1"), Is.EqualTo(96.6));
    }

    [Test]
    public void EmptyCells_AreNull()
    {
        Assert.That(PaperResults.Value("uniformaly_table3_semantic", "ImageNet-30", "patchcore"), Is.Null);
        Assert.That(PaperResults.Value("uniformaly_table11_transformers", "semantic/image_auroc", "intra"), Is.Null);
    }

    [Test]
    public void UnknownNames_AreReportedWithTheAlternatives()
    {
        var table = Assert.Throws<ArgumentException>(() => PaperResults.Load("table99"));
        Assert.That(table!.Message, Does.Contain("table99").And.Contain("uniformaly_table9_kernel_size"));
        var row = Assert.Throws<KeyNotFoundException>(() => PaperResults.Value("uniformaly_table9_kernel_size", "defect", "n7"));
        Assert.That(row!.Message, Does.Contain("defect/image_auroc"));
        var column = Assert.Throws<KeyNotFoundException>(() => PaperResults.Value("uniformaly_table9_kernel_size", "defect/image_auroc", "n8"));
        Assert.That(column!.Message, Does.Contain("n8").And.Contain("n13"));
    }
}

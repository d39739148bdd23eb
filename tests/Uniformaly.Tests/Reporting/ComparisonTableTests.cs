using NUnit.Framework;
using Uniformaly.Research.Reporting;

namespace Uniformaly.Tests.Reporting;

public sealed class ComparisonTableTests
{
    private static MarkdownTable Auroc() => ComparisonTable.Build(
    [
        new Comparison("screw image", 95.804, 96.15),
        new Comparison("pill image", 98.5, 98.17),
        new Comparison("wood pixel", 97.621, 97.62),
        new Comparison("ImageNet-30 patchcore", 91.0, null),
        new Comparison("not run", double.NaN, 99.0),
    ], ComparisonTable.PercentDecimals, "cell, unit %");

    [Test]
    public void Percentages_HaveTwoDecimalsAndSignedDifferences()
    {
        Assert.That(Auroc().ToMarkdown().ReplaceLineEndings("\n"), Is.EqualTo(
            "| cell, unit % | ours | paper | ours - paper |\n" +
            "|---|---|---|---|\n" +
            "| screw image | 95.80 | 96.15 | -0.35 |\n" +
            "| pill image | 98.50 | 98.17 | +0.33 |\n" +
            "| wood pixel | 97.62 | 97.62 | +0.00 |\n" +
            "| ImageNet-30 patchcore | 91.00 | - | - |\n" +
            "| not run | - | 99.00 | - |\n"));
        Assert.That(Auroc().ToCsv(), Is.EqualTo(
            "\"cell, unit %\",ours,paper,ours - paper\n" +
            "screw image,95.80,96.15,-0.35\n" +
            "pill image,98.50,98.17,+0.33\n" +
            "wood pixel,97.62,97.62,+0.00\n" +
            "ImageNet-30 patchcore,91.00,-,-\n" +
            "not run,-,99.00,-\n"));
    }

    [Test]
    public void Fractions_HaveFourDecimals()
    {
        var table = ComparisonTable.Build([new Comparison("NMI", 0.53216, 0.547), new Comparison("ARI", 0.4401, 0.433)], ComparisonTable.FractionDecimals);
        Assert.That(table.ToCsv(), Is.EqualTo("cell,ours,paper,ours - paper\nNMI,0.5322,0.5470,-0.0148\nARI,0.4401,0.4330,+0.0071\n"));
    }

    [Test]
    public void Difference_RoundingToZeroHasNoMinusSign()
    {
        Assert.That(ComparisonTable.Difference(-0.001, 2), Is.EqualTo("+0.00"));
        Assert.That(ComparisonTable.Difference(-1.5, 0), Is.EqualTo("-2"));
        Assert.That(ComparisonTable.Difference(double.NaN, 2), Is.EqualTo("-"));
    }

    [Test]
    public void WriteFiles_WritesMarkdownAndCsv()
    {
        using var folder = new TempFolder();
        Auroc().WriteFiles(Path.Combine(folder.Path, "tables"), "table14");
        Assert.That(File.ReadAllText(Path.Combine(folder.Path, "tables", "table14.md")), Is.EqualTo(Auroc().ToMarkdown()));
        Assert.That(File.ReadAllText(Path.Combine(folder.Path, "tables", "table14.csv")), Is.EqualTo(Auroc().ToCsv()));
        Assert.That(Directory.GetFiles(Path.Combine(folder.Path, "tables")), Has.Length.EqualTo(2));
    }
}

using NUnit.Framework;
using Uniformaly.Research.Common;
using Uniformaly.Research.Reporting;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Tests.Common;

public sealed class CommonTests
{
    [Test]
    public void SplitMix64_MatchesTheReferenceSequence()
    {
        // First outputs of SplitMix64 seeded with 0 (Vigna's reference implementation).
        var random = new SplitMix64(0);
        Assert.That(random.NextUInt64(), Is.EqualTo(0xE220A8397B1DCDAFUL));
        Assert.That(random.NextUInt64(), Is.EqualTo(0x6E789E6AA1B965F4UL));
        Assert.That(random.NextUInt64(), Is.EqualTo(0x06C45D188009454FUL));
    }

    [Test]
    public void AtomicFile_ReplacesWholeAndLeavesNoTemporaryOnFailure()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "out", "result.txt");
        AtomicFile.WriteAllText(path, "first");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.WriteByte(1);
            throw new InvalidOperationException("interrupted");
        }));
        Assert.That(File.ReadAllText(path), Is.EqualTo("first"));
        Assert.That(Directory.GetFiles(Path.Combine(folder.Path, "out")), Has.Length.EqualTo(1));
    }

    [Test]
    public void MarkdownTable_RendersMarkdownAndQuotedCsv()
    {
        var table = new MarkdownTable(["name", "value"]);
        table.Add("a,b", MarkdownTable.Number(0.98765, 3));
        table.Add("x|y", MarkdownTable.Number(double.NaN));
        Assert.That(table.ToMarkdown(), Is.EqualTo("| name | value |\n|---|---|\n| a,b | 0.988 |\n| x\\|y | - |\n".Replace("\n", Environment.NewLine)));
        Assert.That(table.ToCsv(), Is.EqualTo("name,value\n\"a,b\",0.988\nx|y,-\n"));
        Assert.Throws<ArgumentException>(() => table.Add("only one"));
    }

    [Test]
    public void Jet_GoesFromDarkBlueThroughGreenToDarkRed()
    {
        Assert.That(Heatmap.Jet(0), Is.EqualTo((0.0, 0.0, 127.5)));
        Assert.That(Heatmap.Jet(0.5), Is.EqualTo((127.5, 255.0, 127.5)));
        Assert.That(Heatmap.Jet(1), Is.EqualTo((127.5, 0.0, 0.0)));
    }

    [Test]
    public void Overlay_BlendsTheColourMapOverTheImage()
    {
        byte[] rgb = [100, 100, 100, 0, 0, 0];
        float[] map = [0, 2];
        var blended = Heatmap.Overlay(rgb, map, 0, 2, alpha: 0.5);
        // Pixel 0: (100 + jet(0)) / 2 = (50, 50, 113.75 -> 114); pixel 1: jet(1) / 2 = (63.75 -> 64, 0, 0).
        Assert.That(blended, Is.EqualTo(new byte[] { 50, 50, 114, 64, 0, 0 }));
    }
}

using NUnit.Framework;
using Uniformaly.Research.Data;
using Uniformaly.Research.Evaluation;

namespace Uniformaly.Tests.Evaluation;

public sealed class HeatmapGalleryTests
{
    private static ScoredImage Image(string name, int label, float score) =>
        new(new ImageSample("/" + name, name, "c", label == 1 ? "hole" : ImageSample.Normal, label, null), score);

    [Test]
    public void Select_PicksBestDetected_MissedAndFalseAlarms()
    {
        var scored = new[] { Image("a", 1, 0.9f), Image("b", 1, 0.2f), Image("c", 0, 0.5f), Image("d", 0, 0.1f), Image("e", 1, 0.6f) };
        var picks = HeatmapGallery.Select(scored, 2);
        Assert.That(picks.Select(p => (p.Kind, p.Rank, p.Image.Sample.RelativePath)), Is.EqualTo(new[]
        {
            ("best", 1, "a"), ("best", 2, "e"), ("missed", 1, "b"), ("missed", 2, "e"), ("false alarm", 1, "c"), ("false alarm", 2, "d"),
        }));
        Assert.That(picks[0].Index, Is.EqualTo(0));
        Assert.That(picks[2].Index, Is.EqualTo(1));
    }

    /// <summary>One sheet (a row per kind, captions with the scores, a colour bar) and an index that shows it.</summary>
    [Test]
    public void Write_DrawsOneSheet_AndAnIndex()
    {
        using var folder = new TempFolder();
        const int size = 32;
        var picks = HeatmapGallery.Select([Image("a.png", 1, 0.9f), Image("b.png", 0, 0.3f)], 1);
        var asked = new List<int>();
        HeatmapGallery.Write(folder.Path, "cat: best and worst", picks, size, i =>
        {
            asked.Add(i);
            var mask = new byte[size * size];
            if (i == 0) mask.AsSpan(10 * size, 5 * size).Fill(1);
            return (new byte[3 * size * size], Enumerable.Range(0, size * size).Select(p => p % size / (float)size).ToArray(), mask);
        }, 0, 1);
        Assert.That(asked, Is.EqualTo(new[] { 0, 0, 1 }), "best, missed, false alarm");
        // Three rows of one 32 px picture, 48 + 3 x (32 + 34) + 2 x 12 + 8 px high; as wide as the widest caption.
        Visualization.FigureFiles.AssertReadable(Path.Combine(folder.Path, "gallery"), null, 278,
            "cat: best and worst", "best #1 · score 0.9", "false alarm #1 · score 0.3", "good/b.png", "anomaly score");
        var index = File.ReadAllText(Path.Combine(folder.Path, "index.md"));
        Assert.That(index, Does.Contain("![gallery](gallery.png)").And.Contain("| false alarm | 1 | b.png | good | 0.3 |"));
    }
}

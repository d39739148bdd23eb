using NUnit.Framework;
using Uniformaly.Research.Data;
using Uniformaly.Research.Evaluation;

namespace Uniformaly.Tests.Evaluation;

public sealed class HeatmapGalleryTests
{
    private static ScoredImage Image(string name, int label, float score) =>
        new(new ImageSample("/" + name, name, "c", label == 1 ? "hole" : ImageSample.Normal, label, null), score);

    /// <summary>The lowest-scored defects and highest-scored normal images are called missed and false alarms
    /// only where the classes' scores overlap: b (0.2) scores below the normal c (0.5), d (0.1) below every defect.</summary>
    [Test]
    public void Select_PicksBestDetected_LowestDefectsAndHighestNormals_NamingOnlyTheOverlapMissedOrFalseAlarm()
    {
        var scored = new[] { Image("a", 1, 0.9f), Image("b", 1, 0.2f), Image("c", 0, 0.5f), Image("d", 0, 0.1f), Image("e", 1, 0.6f) };
        var picks = HeatmapGallery.Select(scored, 2);
        Assert.That(picks.Select(p => (p.Kind, p.Label, p.Rank, p.Image.Sample.RelativePath)), Is.EqualTo(new[]
        {
            ("best", "best", 1, "a"), ("best", "best", 2, "e"),
            ("lowest-scored defect", "missed", 1, "b"), ("lowest-scored defect", "lowest-scored defect", 2, "e"),
            ("highest-scored normal image", "false alarm", 1, "c"), ("highest-scored normal image", "highest-scored normal image", 2, "d"),
        }));
        Assert.That(picks[0].Index, Is.EqualTo(0));
        Assert.That(picks[2].Index, Is.EqualTo(1));
    }

    /// <summary>Separated classes: nothing is called missed or a false alarm; a test set of normal images only has that row alone.</summary>
    [Test]
    public void Select_WhenNothingWasMissed_SaysLowestScoredDefectAndHighestScoredNormalImage()
    {
        var picks = HeatmapGallery.Select([Image("a", 1, 0.9f), Image("b", 1, 0.6f), Image("c", 0, 0.5f)], 1);
        Assert.That(picks.Select(p => p.Label), Is.EqualTo(new[] { "best", "lowest-scored defect", "highest-scored normal image" }));
        var normalOnly = HeatmapGallery.Select([Image("c", 0, 0.5f), Image("d", 0, 0.7f)], 1);
        Assert.That(normalOnly.Select(p => (p.Label, p.Image.Sample.RelativePath)), Is.EqualTo(new[] { ("highest-scored normal image", "d") }));
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
        Assert.That(asked, Is.EqualTo(new[] { 0, 0, 1 }), "best, lowest-scored defect, highest-scored normal image");
        // Three rows of one 32 px picture, 48 + 3 x (32 + 34) + 2 x 12 + 8 px high; as wide as the widest caption.
        Visualization.FigureFiles.AssertReadable(Path.Combine(folder.Path, "gallery"), null, 278,
            "cat: best and worst", "best #1 · score 0.9", "lowest-scored defect #1 · score 0.9", "highest-scored normal image #1 · score 0.3", "good/b.png", "anomaly score");
        var index = File.ReadAllText(Path.Combine(folder.Path, "index.md"));
        Assert.That(index, Does.Contain("![gallery](gallery.png)").And.Contain("| highest-scored normal image | 1 | b.png | good | 0.3 |").And.Not.Contain("missed").And.Not.Contain("false alarm"));
    }
}

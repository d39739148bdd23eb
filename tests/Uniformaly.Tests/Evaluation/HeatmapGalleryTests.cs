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

    [Test]
    public void Write_SavesEachOverlay_AndAnIndex()
    {
        using var folder = new TempFolder();
        var saved = new List<string>();
        var picks = HeatmapGallery.Select([Image("a", 1, 0.9f), Image("b", 0, 0.3f)], 1);
        HeatmapGallery.Write(folder.Path, "cat", picks, i => [(byte)i], (path, _) => saved.Add(Path.GetFileName(path)));
        Assert.That(saved, Is.EqualTo(new[] { "best_1.png", "missed_1.png", "false_alarm_1.png" }));
        Assert.That(File.ReadAllText(Path.Combine(folder.Path, "index.md")), Does.Contain("| false alarm | 1 | b | good | 0.3 |"));
    }
}

using NUnit.Framework;
using Uniformaly.Research.Data;

namespace Uniformaly.Tests.Data;

public sealed class LowShotTests
{
    private static readonly IReadOnlyList<ImageSample> Train = Enumerable.Range(0, 20)
        .Select(i => new ImageSample($"/d/{i:00}.png", $"{i:00}.png", "c", "good", 0, null)).ToList();

    [Test]
    public void Select_IsDeterministicPerSeed_AndKeepsOrder()
    {
        var a = LowShot.Select(Train, 5, seed: 0);
        var b = LowShot.Select(Train, 5, seed: 0);
        var c = LowShot.Select(Train, 5, seed: 1);
        Assert.That(a, Is.EqualTo(b));
        Assert.That(a, Is.Not.EqualTo(c));
        Assert.That(a, Is.Unique);
        Assert.That(a.Select(s => s.RelativePath), Is.Ordered);
    }

    [Test]
    public void Select_MoreShotsThanImages_TakesAll()
    {
        Assert.That(LowShot.Select(Train, 50, 0), Is.EqualTo(Train));
    }

    [Test]
    public void Select_ZeroShots_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => LowShot.Select(Train, 0, 0));
        Assert.That(e!.Message, Does.Contain("--low-shot"));
    }
}

using NUnit.Framework;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Tests.Visualization;

public sealed class NiceTicksTests
{
    [Test]
    public void Log_OverTheKRatioSweep_TakesMantissasOneTwoFive()
    {
        Assert.That(NiceTicks.Log(0.1, 20), Is.EqualTo(new[] { 0.1, 0.2, 0.5, 1, 2, 5, 10, 20 }));
        Assert.That(NiceTicks.Log(0.15, 7), Is.EqualTo(new[] { 0.1, 0.2, 0.5, 1, 2, 5, 10 }));
    }

    [Test]
    public void Log_OverManyDecades_TakesPowersOfTen()
    {
        Assert.That(NiceTicks.Log(0.002, 300), Is.EqualTo(new[] { 0.001, 0.01, 0.1, 1, 10, 100, 1000 }));
    }

    [Test]
    public void Linear_CoversTheDataWithRoundSteps()
    {
        Assert.That(NiceTicks.Linear(93, 99.35), Is.EqualTo(new double[] { 92, 94, 96, 98, 100 }));
        Assert.That(NiceTicks.Linear(0.1, 0.7), Is.EqualTo(new[] { 0, 0.2, 0.4, 0.6, 0.8 }));
        Assert.That(NiceTicks.Linear(0.52, 0.645), Is.EqualTo(new[] { 0.5, 0.55, 0.6, 0.65 }));
    }

    [Test]
    public void Linear_OfOneValue_StillSpansAnInterval()
    {
        var ticks = NiceTicks.Linear(5, 5);
        Assert.That(ticks[0], Is.LessThan(5));
        Assert.That(ticks[^1], Is.GreaterThan(5));
    }

    [Test]
    public void BadRanges_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => NiceTicks.Log(0, 1));
        Assert.Throws<ArgumentException>(() => NiceTicks.Linear(double.NaN, 1));
        Assert.Throws<ArgumentException>(() => NiceTicks.Linear(2, 1));
    }
}

using NUnit.Framework;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Torch;
using Uniformaly.Tests.Models;

namespace Uniformaly.Tests.Masking;

[TestFixture]
public sealed class BackPatchMaskingTests
{
    // Grids of the model-A cases: sq64 4x4 (batch 2), g7 7x7, rect 6x4, quirk 4x4.
    [TestCase("sq64", 4, 4)]
    [TestCase("g7", 7, 7)]
    [TestCase("rect", 6, 4)]
    [TestCase("quirk", 4, 4)]
    public void Smooth_MatchesTheReferenceOnTheModelsClsAttention(string name, int h, int w)
    {
        using var reference = VitFixtures.Reference("reference_a");
        foreach (var layer in new[] { 4, 2 })
        foreach (var n in new[] { 1, 3, 7 })
        {
            var bpm = new BackPatchMasking(BackPatchMaskingMode.Binary, n, 0.1);
            using var smoothed = bpm.Smooth(reference[$"{name}/cls_attention{layer}"], h, w);
            using var mask = bpm.Mask(smoothed);
            var expected = reference[$"{name}/attn{layer}_n{n}_smoothed"];
            VitFixtures.AssertClose(smoothed, expected, $"{name} layer {layer} n {n}", Tolerances.BackPatchSmoothing);
            VitFixtures.AssertMask(mask, reference[$"{name}/attn{layer}_n{n}_mask"], expected, 0.1, Tolerances.BackPatchSmoothing, $"{name} layer {layer} n {n} mask");
        }
    }

    [TestCase("g7", 7, 7)]
    [TestCase("g6x4", 6, 4)]
    public void Smooth_MatchesTheReferenceOnPeakedMaps(string name, int h, int w)
    {
        using var reference = VitFixtures.Reference("bpm_reference");
        foreach (var n in new[] { 1, 3, 5, 7 })
        foreach (var threshold in new[] { 0.1, 0.5 })
        {
            var bpm = new BackPatchMasking(BackPatchMaskingMode.Binary, n, threshold);
            using var smoothed = bpm.Smooth(reference[$"{name}/attention"], h, w);
            using var mask = bpm.Mask(smoothed);
            var expected = reference[$"{name}/n{n}_smoothed"];
            VitFixtures.AssertClose(smoothed, expected, $"{name} n {n}", Tolerances.BackPatchSmoothing);
            VitFixtures.AssertMask(mask, reference[$"{name}/n{n}_t{threshold}_mask"], expected, threshold, Tolerances.BackPatchSmoothing, $"{name} n {n} lambda {threshold}");
        }
    }

    [Test]
    public void Smooth_NormalizesEachImageByItsOwnMaximum()
    {
        using var reference = VitFixtures.Reference("bpm_reference");
        var batch = reference["g7/attention"];
        var bpm = new BackPatchMasking(BackPatchMaskingMode.Binary, 3, 0.1);
        using var together = bpm.Smooth(batch, 7, 7);
        using var scope = new DisposeScope();
        for (var i = 0; i < 3; i++)
        {
            var alone = bpm.Smooth(batch.Narrow(0, i, 1), 7, 7);
            Assert.That(together.Narrow(0, i, 1).ToArray<float>(), Is.EqualTo(alone.ToArray<float>()), $"image {i} does not depend on the batch");
            Assert.That(together.Select(0, i).Max().Item(), Is.EqualTo(1.0), $"image {i} maximum");
        }
    }

    [Test]
    public void Mask_IsStrict()
    {
        // n = 1 keeps the map; normalized values are exactly 1, 0.5, 0.25, 0.125.
        using var attention = Tensor.FromArray(new[] { 0.4f, 0.2f, 0.1f, 0.05f }, 1, 4);
        var bpm = new BackPatchMasking(BackPatchMaskingMode.Binary, 1, 0.5);
        using var smoothed = bpm.Smooth(attention, 2, 2);
        using var mask = bpm.Mask(smoothed);
        Assert.That(smoothed.ToArray<float>(), Is.EqualTo(new[] { 1f, 0.5f, 0.25f, 0.125f }));
        Assert.That(mask.ToArray<bool>(), Is.EqualTo(new[] { true, false, false, false }));
    }

    /// <summary>Binary BPM has one rule, M = attention &gt; lambda: the training patches it keeps are M, and
    /// the test scores it keeps are those where M holds.</summary>
    [Test]
    public void BinaryMasking_KeepsAndScoresByTheOneMask()
    {
        using var scope = new DisposeScope();
        var bpm = new BackPatchMasking(BackPatchMaskingMode.Binary, 1, 0.25);
        var attention = Tensor.FromArray([1f, 0.5f, 0.25f, 0.125f], 1, 4);
        var mask = bpm.Mask(attention).ToArray<bool>();
        Assert.That(mask, Is.EqualTo(new[] { true, true, false, false }));
        Assert.That(bpm.Keep(attention).ToArray<bool>(), Is.EqualTo(mask));
        Assert.That(bpm.Apply(Tensor.Ones([1, 4]), attention).ToArray<float>(), Is.EqualTo(mask.Select(m => m ? 1f : 0f).ToArray()));
    }

    /// <summary>Count says how many patches Keep leaves out, per mode: the patches whose scores Apply zeroes.</summary>
    [TestCase(BackPatchMaskingMode.Binary, 3)]
    [TestCase(BackPatchMaskingMode.Soft, 1)]
    [TestCase(BackPatchMaskingMode.Off, 0)]
    public void Count_IsThePatchesKeepLeavesOut_AndApplyZeroes(BackPatchMaskingMode mode, long removed)
    {
        using var scope = new DisposeScope();
        var bpm = new BackPatchMasking(mode, 1, 0.25);
        var attention = Tensor.FromArray([1f, 0.5f, 0.25f, 0.125f, 0f, 0.75f], 2, 3);
        Assert.That(bpm.Count(attention), Is.EqualTo(new PatchCount(6, removed)));
        var zeroed = bpm.Apply(Tensor.Ones([2, 3]), attention).ToArray<float>().Count(v => v == 0);
        Assert.That(zeroed, Is.EqualTo(removed));
    }

    /// <summary>Binary BPM that removed nothing had no effect, and the report says a sweep cannot show it; soft still weights scores.</summary>
    [Test]
    public void MaskedPatches_SaysWhenBinaryMaskingChangedNothing()
    {
        var none = new MaskedPatches(BackPatchMaskingMode.Binary, new PatchCount(3920, 0), new PatchCount(4312, 0));
        Assert.That(none.NoEffect, Is.True);
        Assert.That(none.Sentence(), Does.Contain("removed no patch: all 3,920 training patches").And.Contain("none of the 4,312 test patch scores")
            .And.Contain("had no effect").And.Contain("cannot show its effect"));
        var some = none with { Train = new PatchCount(3920, 392) };
        Assert.That(some.NoEffect, Is.False);
        Assert.That(some.Sentence(), Does.Contain("392 of the 3,920 training patches (10.0 %)").And.Not.Contain("no effect"));
        Assert.That((none with { Mode = BackPatchMaskingMode.Soft }).NoEffect, Is.False, "soft weights every test score");
        Assert.That((none with { Mode = BackPatchMaskingMode.Off }).Sentence(), Does.Contain("was off"));
        Assert.That(MaskedPatches.Sum([some, none]), Is.EqualTo(none with { Train = new PatchCount(7840, 392), Test = new PatchCount(8624, 0) }));
    }

    [Test]
    public void Smooth_RejectsAMapThatDoesNotFitTheGrid()
    {
        using var attention = Tensor.Rand([2, 15]);
        Assert.Throws<ArgumentException>(() => new BackPatchMasking(BackPatchMaskingMode.Binary, 7, 0.1).Smooth(attention, 4, 4));
    }
}

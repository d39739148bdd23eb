using NUnit.Framework;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Features;
using Uniformaly.Research.Torch;
using Uniformaly.Tests.Models;

namespace Uniformaly.Tests.Features;

[TestFixture]
public sealed class BackPatchAttentionTests
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
            var bpm = new BackPatchAttention(n, 0.1);
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
            var bpm = new BackPatchAttention(n, threshold);
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
        var bpm = new BackPatchAttention(3);
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
        var bpm = new BackPatchAttention(1, 0.5);
        using var smoothed = bpm.Smooth(attention, 2, 2);
        using var mask = bpm.Mask(smoothed);
        Assert.That(smoothed.ToArray<float>(), Is.EqualTo(new[] { 1f, 0.5f, 0.25f, 0.125f }));
        Assert.That(mask.ToArray<bool>(), Is.EqualTo(new[] { true, false, false, false }));
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(2)]
    [TestCase(6)]
    public void Constructor_RejectsKernelsThatAreNotOddAndPositive(int kernel)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new BackPatchAttention(kernel));
        Assert.That(error!.Message, Does.Contain("--kernel"));
    }

    [TestCase(-0.1)]
    [TestCase(1.0)]
    [TestCase(1.5)]
    [TestCase(double.NaN)]
    public void Constructor_RejectsThresholdsOutsideZeroToOne(double threshold)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new BackPatchAttention(7, threshold));
        Assert.That(error!.Message, Does.Contain("--threshold"));
    }

    [Test]
    public void Smooth_RejectsAMapThatDoesNotFitTheGrid()
    {
        using var attention = Tensor.Rand([2, 15]);
        Assert.Throws<ArgumentException>(() => new BackPatchAttention().Smooth(attention, 4, 4));
    }
}

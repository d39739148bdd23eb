using NUnit.Framework;
using Uniformaly.Research.Metrics;

namespace Uniformaly.Tests.Metrics;

/// <summary>What <see cref="DetectionMetrics"/> reports when a metric cannot be computed, and which images its pixel metrics read.</summary>
public sealed class DetectionMetricsTests
{
    private const int Side = 2;

    // Three images of 2 x 2 pixels: a normal one, and two defects whose masks mark their first pixel.
    private static readonly float[][] Maps = [[0.1f, 0.2f, 0.1f, 0.3f], [0.9f, 0.2f, 0.4f, 0.1f], [0.5f, 0.95f, 0.2f, 0.1f]];
    private static readonly byte[][] Masks = [[0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0]];

    /// <summary>A test set of normal images only: every metric NaN with the reason, no exception, no curves.</summary>
    [Test]
    public void OnlyNormalImages_AreUndefinedWithTheReason_NotAFailure()
    {
        var (metrics, curves) = DetectionMetrics.ComputeWithCurves([0, 0, 0], [0.1f, 0.5f, 0.3f], [Maps[0], Maps[0], Maps[0]], [Masks[0], Masks[0], Masks[0]], Side, Side);
        Assert.That(metrics.Values, Has.All.NaN);
        Assert.That(metrics.Undefined.Keys, Is.EquivalentTo(DetectionMetrics.Names));
        Assert.That(metrics.Undefined.Values, Has.All.Contain("no defect images"));
        Assert.That(curves, Is.Null);
    }

    /// <summary>Defects only: the image metrics need normal images too; the pixel ones are computed.</summary>
    [Test]
    public void OnlyDefectImages_LeaveTheImageMetricsUndefined_AndComputeThePixelOnes()
    {
        var (metrics, curves) = DetectionMetrics.ComputeWithCurves([1, 1], [0.9f, 0.6f], [Maps[1], Maps[2]], [Masks[1], Masks[2]], Side, Side);
        Assert.That(new[] { metrics.ImageAuroc, metrics.ImageAp, metrics.ImageF1Max }, Has.All.NaN);
        Assert.That(metrics.Undefined.Keys, Is.EquivalentTo(new[] { "image_auroc", "image_ap", "image_f1max" }));
        Assert.That(metrics.Undefined["image_auroc"], Does.Contain("no normal images"));
        Assert.That(metrics.PixelAuroc, Is.EqualTo(BinaryMetrics.RocAuc([.. Maps[1], .. Maps[2]], [.. Masks[1], .. Masks[2]])));
        Assert.That(curves!.Image, Is.Null);
        Assert.That(curves.Pixel, Is.Not.Null);
    }

    /// <summary>A defect image without a mask (null) is left out of the pixel metrics, not counted as defect-free;
    /// the image metrics still count it.</summary>
    [Test]
    public void ADefectWithoutAMask_IsLeftOutOfThePixelMetrics()
    {
        var labels = new byte[] { 0, 1, 1 };
        var scores = new[] { 0.3f, 0.9f, 0.6f };
        var withoutMask = DetectionMetrics.Compute(labels, scores, Maps, [Masks[0], Masks[1], null], Side, Side);
        var twoImages = DetectionMetrics.Compute([0, 1], [0.3f, 0.9f], [Maps[0], Maps[1]], [Masks[0], Masks[1]], Side, Side);
        var asDefectFree = DetectionMetrics.Compute(labels, scores, Maps, [Masks[0], Masks[1], new byte[Side * Side]], Side, Side);
        Assert.That(withoutMask.Values.Skip(1).Take(3), Is.EqualTo(twoImages.Values.Skip(1).Take(3)), "pixel AUROC, anomalous pixel AUROC, AUPRO");
        Assert.That((withoutMask.PixelAp, withoutMask.PixelF1Max), Is.EqualTo((twoImages.PixelAp, twoImages.PixelF1Max)));
        Assert.That(withoutMask.PixelAuroc, Is.Not.EqualTo(asDefectFree.PixelAuroc), "the case differs from calling the image defect-free");
        Assert.That(withoutMask.ImageAuroc, Is.EqualTo(BinaryMetrics.RocAuc(scores, labels)));
        Assert.That(withoutMask.Undefined, Is.Empty);
    }

    /// <summary>The mean over categories is undefined where any category's metric is, and says which.</summary>
    [Test]
    public void Mean_NamesTheCategoriesWhereAMetricIsUndefined()
    {
        var defined = DetectionMetrics.Compute([0, 1, 1], [0.3f, 0.9f, 0.6f], Maps, Masks, Side, Side);
        var normalOnly = DetectionMetrics.Compute([0], [0.3f], [Maps[0]], [Masks[0]], Side, Side);
        var mean = DetectionMetrics.Mean([("a", defined), ("b", normalOnly)]);
        Assert.That(mean.ImageAuroc, Is.NaN);
        Assert.That(mean.Undefined["image_auroc"], Is.EqualTo("undefined for b"));
        Assert.That(DetectionMetrics.Mean([("a", defined), ("c", defined)]).ImageAuroc, Is.EqualTo(defined.ImageAuroc));
    }
}

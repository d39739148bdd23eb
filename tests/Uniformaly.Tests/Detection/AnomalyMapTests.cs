using NUnit.Framework;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Detection;

/// <summary>Bilinear upsampling + scipy's gaussian_filter (SPEC section 9).</summary>
public sealed class AnomalyMapTests
{
    [Test]
    public void Generate_MatchesInterpolateThenScipyGaussianFilter()
    {
        using var scope = new DisposeScope();
        var maps = new AnomalyMapGenerator(224, 224).Generate(DetectionFixtures.Load("map_scores_14x14"), 14, 14);
        Assert.That(maps.Shape, Is.EqualTo(new long[] { 2, 224, 224 }));
        NumericAssert.Close(NumericAssert.Floats(maps), DetectionFixtures.Floats("map_expected_224"), Tolerances.AnomalyMap, "maps");
    }

    /// <summary>8x8 and 5x13 are smaller than the radius 16: scipy's 'reflect' then repeats the
    /// symmetric extension with period 2n.</summary>
    [TestCase(8, 8)]
    [TestCase(5, 13)]
    [TestCase(40, 33)]
    public void Blur_MatchesScipyGaussianFilter(int height, int width)
    {
        using var scope = new DisposeScope();
        var input = DetectionFixtures.Load($"blur_input_{height}x{width}").Unsqueeze(0);
        var blurred = GaussianBlur.Apply(input, 4.0);
        Assert.That(blurred.Shape, Is.EqualTo(new long[] { 1, height, width }));
        NumericAssert.Close(NumericAssert.Floats(blurred), DetectionFixtures.Floats($"blur_expected_{height}x{width}"), Tolerances.GaussianBlur, "blurred");
    }

    [Test]
    public void ReflectIndices_RepeatTheEdgeSample_AndWrapWithPeriodTwoN()
    {
        // scipy 'reflect' on [a b c]: ... c c b a | a b c | c b a a b ...
        Assert.That(GaussianBlur.ReflectIndices(3, 4), Is.EqualTo(new long[] { 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0 }));
        Assert.That(GaussianBlur.ReflectIndices(1, 2), Is.EqualTo(new long[] { 0, 0, 0, 0, 0 }));
    }

    [Test]
    public void Kernel_HasRadius16ForSigma4_AndSumsToOne()
    {
        var kernel = GaussianBlur.Kernel(4.0);
        Assert.That(kernel, Has.Length.EqualTo(33));
        NumericAssert.Close(kernel.Sum(), 1.0, Tolerances.GaussianKernel, "sum");
        NumericAssert.Close(kernel[16] / kernel[15], Math.Exp(1.0 / 32), Tolerances.GaussianKernel, "ratio of neighbouring taps");
    }

    [Test]
    public void BadShapes_AreRejected()
    {
        using var scope = new DisposeScope();
        Assert.That(() => new AnomalyMapGenerator(224, 224).Generate(Tensor.Zeros([1, 195]), 14, 14),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("maskedScores"));
        Assert.That(() => new AnomalyMapGenerator(0, 224), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("height"));
    }
}

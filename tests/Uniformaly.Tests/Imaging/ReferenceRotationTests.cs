using NUnit.Framework;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Imaging;

/// <summary>--rotate-references against scipy.ndimage.affine_transform (order 1, mirror) from
/// tools/make_recipe_fixtures.py, on 9 x 7 planes (non-square, so the 45° corners reach beyond the
/// border and are mirrored).</summary>
[TestFixture]
public sealed class ReferenceRotationTests
{
    [Test]
    public void Augment_IsEachImageThenItsRotations_AsScipyRotatesThem()
    {
        using var images = DetectionFixtures.Load("rotation_images");
        using var rotated = ReferenceRotation.Augment(images);
        using var expected = DetectionFixtures.Load("rotation_expected");
        Assert.That(ReferenceRotation.Angles, Is.EqualTo(new double[] { 0, 45, 90, 135, 180, 225, 270, 315 }), "AnomalyDINO's angles");
        NumericAssert.Close(rotated, expected, Tolerances.Rotation, "rotated references");
        using var first = rotated.Select(0, 0);
        Assert.That(first.ToArray<float>(), Is.EqualTo(images.Select(0, 0).ToArray<float>()), "angle 0 is the image itself");
    }

    /// <summary>A quarter turn about the geometric centre moves pixels exactly (numpy's rot90).</summary>
    [Test]
    public void QuarterTurn_OfASquare_IsACounterClockwisePermutation()
    {
        var plane = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();
        var output = new float[16];
        ReferenceRotation.Rotate(plane, output, 4, 4, 90);
        for (var y = 0; y < 4; y++)
        for (var x = 0; x < 4; x++)
            Assert.That(output[y * 4 + x], Is.EqualTo(plane[x * 4 + (3 - y)]).Within(1e-5), $"({y}, {x})");
    }
}

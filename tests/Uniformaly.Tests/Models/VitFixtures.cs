using NUnit.Framework;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Models;

/// <summary>The ViT fixtures of tools/make_vit_fixtures.py and float32 comparisons against them.</summary>
public static class VitFixtures
{
    /// <summary>Model A: D 128, 2 heads, depth 4, patch 16, pos grid 4x4, stored as float16.</summary>
    public static string ModelA => TestSetup.Fixture("vit", "vit_a_d128_p16_fp16.safetensors");

    /// <summary>Model B (D 64, 1 head, depth 2, patch 8, grid 4x4) in one of its four files.</summary>
    public static string ModelB(string file) => TestSetup.Fixture("vit", file);

    public static StateDict Reference(string name) => SafeTensors.Read(TestSetup.Fixture("vit", name + ".safetensors"));

    public static VisionTransformer LoadA() => VisionTransformer.Load(ModelA);

    /// <summary>Asserts same shape and max |actual - expected| / max |expected| within
    /// <see cref="Tolerances.Vit"/> (or <paramref name="tolerance"/>).</summary>
    public static double AssertClose(Tensor actual, Tensor expected, string what, double? tolerance = null) =>
        NumericAssert.Close(actual, expected, tolerance ?? Tolerances.Vit, what);

    /// <summary>Asserts a bool mask equals a 0/1 float reference exactly. Exact, because rounding
    /// within <paramref name="tolerance"/> cannot move a smoothed value across the threshold when the
    /// reference's values all lie farther from it (checked here; they are 1.7e-4 or more away).</summary>
    public static void AssertMask(Tensor actual, Tensor expected, Tensor expectedSmoothed, double threshold, double tolerance, string what)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape), $"{what}: shape");
        using var scope = new DisposeScope();
        Assert.That((expectedSmoothed - threshold).Abs().Min().Item(), Is.GreaterThan(tolerance),
            $"{what}: a smoothed value within rounding of the threshold, so the mask may differ there");
        Assert.That(actual.To(DType.Float32).ToArray<float>(), Is.EqualTo(expected.ToArray<float>()), what);
    }
}

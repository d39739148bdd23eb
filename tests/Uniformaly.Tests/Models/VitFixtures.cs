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

    /// <summary>Asserts same shape and max |actual - expected| / max |expected| below
    /// <paramref name="tolerance"/>. On the reference machine the bridge and Debian torch agree
    /// bit for bit; 2e-6 leaves room for other BLAS kernels while LayerNorm eps 1e-5 instead of
    /// 1e-6 (a 1e-5 error) already fails.</summary>
    public static void AssertClose(Tensor actual, Tensor expected, string what, double tolerance = 2e-6)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape), $"{what}: shape");
        using var scope = new DisposeScope();
        var a = actual.To(Device.Cpu, DType.Float32);
        var e = expected.To(Device.Cpu, DType.Float32);
        var error = (a - e).Abs().Max().Item() / e.Abs().Max().Item();
        Assert.That(error, Is.LessThan(tolerance), $"{what}: relative error");
    }

    /// <summary>Asserts a bool mask equals a 0/1 float reference exactly.</summary>
    public static void AssertMask(Tensor actual, Tensor expected, string what)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape), $"{what}: shape");
        using var scope = new DisposeScope();
        Assert.That(actual.To(DType.Float32).ToArray<float>(), Is.EqualTo(expected.ToArray<float>()), what);
    }
}

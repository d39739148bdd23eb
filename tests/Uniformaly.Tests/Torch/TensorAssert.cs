using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>Assertions on tensor contents.</summary>
public static class TensorAssert
{
    public static void Values(Tensor actual, long[] shape, float[] expected, float tolerance = 1e-6f)
    {
        Assert.That(actual.Shape, Is.EqualTo(shape), "shape");
        var values = actual.DType == DType.Float32 ? actual.ToArray<float>() : Array.ConvertAll(actual.To(DType.Float32).ToArray<float>(), v => v);
        Assert.That(values, Is.EqualTo(expected).Within(tolerance), "values");
    }

    public static void Longs(Tensor actual, long[] shape, long[] expected)
    {
        Assert.That(actual.Shape, Is.EqualTo(shape), "shape");
        Assert.That(actual.DType, Is.EqualTo(DType.Int64), "dtype");
        Assert.That(actual.ToArray<long>(), Is.EqualTo(expected), "values");
    }

    public static void Bools(Tensor actual, long[] shape, bool[] expected)
    {
        Assert.That(actual.Shape, Is.EqualTo(shape), "shape");
        Assert.That(actual.DType, Is.EqualTo(DType.Bool), "dtype");
        Assert.That(actual.ToArray<bool>(), Is.EqualTo(expected), "values");
    }
}

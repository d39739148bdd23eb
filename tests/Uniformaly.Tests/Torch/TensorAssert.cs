using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>Assertions on tensor contents.</summary>
public static class TensorAssert
{
    /// <summary>Shape, then values within <paramref name="tolerance"/> (default <see cref="Tolerances.SmallOp"/>)
    /// relative to the largest expected value.</summary>
    public static void Values(Tensor actual, long[] shape, float[] expected, double? tolerance = null)
    {
        Assert.That(actual.Shape, Is.EqualTo(shape), "shape");
        NumericAssert.Close(NumericAssert.Floats(actual), expected, tolerance ?? Tolerances.SmallOp, "values");
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

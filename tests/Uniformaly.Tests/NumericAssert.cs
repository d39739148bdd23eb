using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests;

/// <summary>
/// Float comparisons under a <see cref="Tolerances"/> bound. The error is the largest
/// |actual - expected| relative to a scale (by default max |expected|), because float rounding is
/// proportional to the magnitude of the values a computation works with, not to each result:
/// an element near zero (a map border, a cancelled sum) carries the absolute error of the large
/// ones. Each comparison writes its measured error to the test's output, so the margin to the
/// tolerance can be read from any run (`dotnet test --logger "console;verbosity=detailed"`).
/// </summary>
public static class NumericAssert
{
    /// <summary>Asserts max |actual - expected| &lt;= <paramref name="tolerance"/> * scale and returns
    /// the relative error. <paramref name="scale"/> defaults to max |expected|.</summary>
    public static double Close(IReadOnlyList<float> actual, IReadOnlyList<float> expected, double tolerance, string what, double? scale = null)
    {
        Assert.That(actual, Has.Count.EqualTo(expected.Count), $"{what}: length");
        var error = RelativeError(actual, expected, scale);
        return Within(error, tolerance, what);
    }

    /// <summary>The same for tensors of any float dtype and device (compared as float32 on the CPU),
    /// after checking their shapes.</summary>
    public static double Close(Tensor actual, Tensor expected, double tolerance, string what, double? scale = null)
    {
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape), $"{what}: shape");
        return Close(Floats(actual), Floats(expected), tolerance, what, scale);
    }

    /// <summary>One value: |actual - expected| &lt;= <paramref name="tolerance"/> * <paramref name="scale"/>
    /// (1 for metrics on [0, 1]).</summary>
    public static double Close(double actual, double expected, double tolerance, string what, double scale = 1)
    {
        Assert.That(double.IsFinite(actual), Is.True, $"{what}: {actual} is not finite");
        return Within(Math.Abs(actual - expected) / scale, tolerance, what);
    }

    /// <summary>max |actual - expected| / (scale ?? max |expected|), without asserting (0 for equal arrays).</summary>
    public static double RelativeError(IReadOnlyList<float> actual, IReadOnlyList<float> expected, double? scale = null)
    {
        double largest = 0, error = 0;
        for (var i = 0; i < expected.Count; i++)
        {
            largest = Math.Max(largest, Math.Abs((double)expected[i]));
            var difference = Math.Abs((double)actual[i] - expected[i]);
            // NaN compares false with everything: make it the largest possible error.
            error = double.IsNaN(difference) ? double.PositiveInfinity : Math.Max(error, difference);
        }
        var s = scale ?? largest;
        return error == 0 ? 0 : error / s;
    }

    /// <summary>The tensor's values as float32 on the CPU.</summary>
    public static float[] Floats(Tensor tensor)
    {
        using var scope = new DisposeScope();
        return tensor.To(Device.Cpu, DType.Float32).ToArray<float>();
    }

    /// <summary>Asserts an error measured by the caller is within <paramref name="tolerance"/>, and reports it.</summary>
    public static double Within(double error, double tolerance, string what)
    {
        TestContext.Out.WriteLine($"error {what}: {error:0.000e+00}, {error / tolerance:0.###} of the tolerance {tolerance:0.000e+00}");
        Assert.That(error, Is.LessThanOrEqualTo(tolerance), $"{what}: relative error");
        return error;
    }
}

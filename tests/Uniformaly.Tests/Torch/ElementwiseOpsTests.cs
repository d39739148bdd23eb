using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>Arithmetic, broadcasting, comparisons, selection and linear algebra against hand-computed values.</summary>
public sealed class ElementwiseOpsTests
{
    private DisposeScope _scope = null!;

    [SetUp]
    public void OpenScope() => _scope = new DisposeScope();

    [TearDown]
    public void CloseScope() => _scope.Dispose();

    private static Tensor F(params float[] v) => Tensor.FromArray(v);

    [Test]
    public void Arithmetic_Broadcasts()
    {
        var column = Tensor.FromArray(new float[] { 1, 2 }, 2, 1);
        var row = F(10, 20, 30);
        TensorAssert.Values(column + row, [2, 3], [11, 21, 31, 12, 22, 32]);
        TensorAssert.Values(row - column, [2, 3], [9, 19, 29, 8, 18, 28]);
        TensorAssert.Values(column * row, [2, 3], [10, 20, 30, 20, 40, 60]);
        TensorAssert.Values(row / column, [2, 3], [10, 20, 30, 5, 10, 15]);
    }

    [Test]
    public void ScalarOperators_BothSides()
    {
        var x = F(1, 2, 4);
        TensorAssert.Values(x + 1, [3], [2, 3, 5]);
        TensorAssert.Values(x - 1, [3], [0, 1, 3]);
        TensorAssert.Values(x * 2, [3], [2, 4, 8]);
        TensorAssert.Values(x / 2, [3], [0.5f, 1, 2]);
        TensorAssert.Values(1 - x, [3], [0, -1, -3]);
        TensorAssert.Values(4 / x, [3], [4, 2, 1]);
        TensorAssert.Values(3 * x, [3], [3, 6, 12]);
        TensorAssert.Values(-x, [3], [-1, -2, -4]);
    }

    [Test]
    public void IntegerScalars_KeepIntegerDType()
    {
        var x = Tensor.FromArray(new long[] { 1, 2, 3 });
        Assert.That(x.Add(2L).ToArray<long>(), Is.EqualTo(new long[] { 3, 4, 5 }));
        Assert.That(x.Mul(3L).ToArray<long>(), Is.EqualTo(new long[] { 3, 6, 9 }));
        Assert.That(x.Remainder(2L).ToArray<long>(), Is.EqualTo(new long[] { 1, 0, 1 }));
        Assert.That(x.Add(0.5).DType, Is.EqualTo(DType.Float32), "a float scalar promotes, as in torch");
    }

    [Test]
    public void UnaryFunctions()
    {
        TensorAssert.Values(F(4, 9).Sqrt(), [2], [2, 3]);
        TensorAssert.Values(F(4, 0.25f).Rsqrt(), [2], [0.5f, 2]);
        TensorAssert.Values(F(0, 1).Exp(), [2], [1, MathF.E]);
        TensorAssert.Values(F(1, MathF.E).Log(), [2], [0, 1]);
        TensorAssert.Values(F(-1.5f, 2).Abs(), [2], [1.5f, 2]);
        TensorAssert.Values(F(-1, 3).Relu(), [2], [0, 3]);
        TensorAssert.Values(F(0).Sigmoid(), [1], [0.5f]);
        TensorAssert.Values(F(0, 100).Tanh(), [2], [0, 1]);
        TensorAssert.Values(F(0).Erf(), [1], [0]);
        TensorAssert.Values(F(0.5f, 1.5f, 2.5f, -0.5f).Round(), [4], [0, 2, 2, -0], 0);
        TensorAssert.Values(F(1.5f, -1.5f).Floor(), [2], [1, -2]);
        TensorAssert.Values(F(1.5f, -1.5f).Ceil(), [2], [2, -1]);
        TensorAssert.Values(F(2, 3).Pow(2), [2], [4, 9]);
        TensorAssert.Values(F(2, 3).Pow(F(3, 2)), [2], [8, 9]);
    }

    [Test]
    public void Clamp_EitherOrBothBounds()
    {
        var x = F(-2, 0.5f, 3);
        TensorAssert.Values(x.Clamp(0, 1), [3], [0, 0.5f, 1]);
        TensorAssert.Values(x.Clamp(min: 0), [3], [0, 0.5f, 3]);
        TensorAssert.Values(x.Clamp(max: 0), [3], [-2, 0, 0]);
    }

    [Test]
    public void MaximumMinimum()
    {
        TensorAssert.Values(F(1, 5).Maximum(F(3, 2)), [2], [3, 5]);
        TensorAssert.Values(F(1, 5).Minimum(F(3, 2)), [2], [1, 2]);
    }

    [Test]
    public void Comparisons_GiveBoolTensors()
    {
        var a = F(1, 2, 3);
        var b = F(3, 2, 1);
        TensorAssert.Bools(a < b, [3], [true, false, false]);
        TensorAssert.Bools(a <= b, [3], [true, true, false]);
        TensorAssert.Bools(a > b, [3], [false, false, true]);
        TensorAssert.Bools(a >= b, [3], [false, true, true]);
        TensorAssert.Bools(a.Eq(b), [3], [false, true, false]);
        TensorAssert.Bools(a.Ne(b), [3], [true, false, true]);
        TensorAssert.Bools(a > 1.5, [3], [false, true, true]);
        TensorAssert.Bools(a.Eq(2), [3], [false, true, false]);
        TensorAssert.Bools((a > 1.5) & (a < 2.5), [3], [false, true, false]);
        TensorAssert.Bools((a < 1.5) | (a > 2.5), [3], [true, false, true]);
        TensorAssert.Bools(!(a > 1.5), [3], [true, false, false]);
        TensorAssert.Bools(F(float.NaN, 1).IsNan(), [2], [true, false]);
    }

    [Test]
    public void Where_AndMaskedFill()
    {
        var x = F(1, -2, 3);
        var zero = F(0);
        TensorAssert.Values(Tensor.Where(x > 0, x, zero), [3], [1, 0, 3]);
        TensorAssert.Values(x.MaskedFill(x < 0, 9), [3], [1, 9, 3]);
    }

    [Test]
    public void MatMul_Mm_Bmm_AddMm()
    {
        var a = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 2, 2);
        var b = Tensor.FromArray(new float[] { 5, 6, 7, 8 }, 2, 2);
        TensorAssert.Values(a.MatMul(b), [2, 2], [19, 22, 43, 50]);
        TensorAssert.Values(a.Mm(b), [2, 2], [19, 22, 43, 50]);
        var batch = Tensor.Stack([a, b]);
        TensorAssert.Values(batch.Bmm(batch), [2, 2, 2], [7, 10, 15, 22, 67, 78, 91, 106]);
        var bias = F(1, -1);
        // 0.5 * bias + 2 * (a @ b), bias broadcast over rows.
        TensorAssert.Values(Tensor.AddMm(bias, a, b, beta: 0.5, alpha: 2), [2, 2], [38.5f, 43.5f, 86.5f, 99.5f]);
    }
}

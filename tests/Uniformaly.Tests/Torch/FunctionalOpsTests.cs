using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>Neural-network functionals against hand-computed values.</summary>
public sealed class FunctionalOpsTests
{
    private DisposeScope _scope = null!;

    [SetUp]
    public void OpenScope() => _scope = new DisposeScope();

    [TearDown]
    public void CloseScope() => _scope.Dispose();

    [Test]
    public void Linear_WithAndWithoutBias()
    {
        var x = Tensor.FromArray(new float[] { 1, 2 }, 1, 2);
        var w = Tensor.FromArray(new float[] { 1, 0, 0, 1, 1, 1 }, 3, 2);
        var b = Tensor.FromArray(new float[] { 0.5f, 0, -1 });
        TensorAssert.Values(Functional.Linear(x, w, b), [1, 3], [1.5f, 2, 2]);
        TensorAssert.Values(Functional.Linear(x, w), [1, 3], [1, 2, 3]);
    }

    [Test]
    public void Conv2d_StrideAndPadding()
    {
        var x = Tensor.Arange(1, 10, dtype: DType.Float32).Reshape(1, 1, 3, 3);
        var w = Tensor.Ones([1, 1, 2, 2]);
        TensorAssert.Values(Functional.Conv2d(x, w), [1, 1, 2, 2], [12, 16, 24, 28]);
        // Padding 1, stride 2: windows at rows/cols {-1,0} and {1,2}; padded zeros add nothing.
        TensorAssert.Values(Functional.Conv2d(x, w, stride: (2, 2), padding: (1, 1)), [1, 1, 2, 2], [1, 5, 11, 28]);
        var bias = Tensor.FromArray(new float[] { 10 });
        TensorAssert.Values(Functional.Conv2d(x, w, bias), [1, 1, 2, 2], [22, 26, 34, 38]);
    }

    [Test]
    public void Conv2d_WithWrongChannelCount_ThrowsTorchException()
    {
        var x = Tensor.Zeros([1, 3, 4, 4]);
        var w = Tensor.Zeros([1, 2, 2, 2]);
        Assert.Throws<TorchException>(() => Functional.Conv2d(x, w));
    }

    [Test]
    public void LayerNorm_NormalizesLastDim()
    {
        // mean 2.5, biased variance 1.25: (x - 2.5) / sqrt(1.25 + eps)
        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 1, 4);
        var s = (float)Math.Sqrt(1.25 + 1e-6);
        var expected = new[] { -1.5f / s, -0.5f / s, 0.5f / s, 1.5f / s };
        TensorAssert.Values(Functional.LayerNorm(x, [4], eps: 1e-6), [1, 4], expected);
        var w = Tensor.FromArray(new float[] { 2, 2, 2, 2 });
        var b = Tensor.FromArray(new float[] { 1, 1, 1, 1 });
        TensorAssert.Values(Functional.LayerNorm(x, [4], w, b, 1e-6), [1, 4], expected.Select(v => 2 * v + 1).ToArray());
    }

    [Test]
    public void Gelu_ExactAndTanh()
    {
        // Exact: x * Phi(x); Phi(1) = 0.8413447461, Phi(-1) = 0.1586552539.
        var x = Tensor.FromArray(new float[] { -1, 0, 1 });
        TensorAssert.Values(Functional.Gelu(x), [3], [-0.15865526f, 0, 0.84134475f]);
        // tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) = 0.8411920 at 1.
        TensorAssert.Values(Functional.Gelu(x, tanhApproximation: true), [3], [-0.158808f, 0, 0.841192f]);
    }

    [Test]
    public void Softmax_AndLogSoftmax()
    {
        var x = Tensor.FromArray(new float[] { 1, 2, 3 });
        var z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        var expected = new[] { (float)(Math.Exp(1) / z), (float)(Math.Exp(2) / z), (float)(Math.Exp(3) / z) };
        TensorAssert.Values(Functional.Softmax(x, 0), [3], expected);
        TensorAssert.Values(Functional.LogSoftmax(x, 0), [3], expected.Select(v => MathF.Log(v)).ToArray());
    }

    [Test]
    public void AvgPool2d_CountIncludePadDampsBorders()
    {
        var ones = Tensor.Ones([1, 1, 3, 3]);
        // 3x3 window, zero padding 1: corners see 4 ones of 9, edges 6 of 9, the center 9 of 9.
        float c = 4f / 9, e = 6f / 9;
        TensorAssert.Values(Functional.AvgPool2d(ones, 3, 1, 1, countIncludePad: true), [1, 1, 3, 3], [c, e, c, e, 1, e, c, e, c]);
        TensorAssert.Values(Functional.AvgPool2d(ones, 3, 1, 1, countIncludePad: false), [1, 1, 3, 3], Enumerable.Repeat(1f, 9).ToArray());
    }

    [Test]
    public void Interpolate_Bilinear()
    {
        // align_corners=False: source coordinate (i + 0.5) / 2 - 0.5, clamped at 0.
        var x = Tensor.FromArray(new float[] { 0, 1, 2, 3 }, 1, 1, 2, 2);
        TensorAssert.Values(Functional.Interpolate(x, 4, 4, InterpolationMode.Bilinear), [1, 1, 4, 4],
            [0, 0.25f, 0.75f, 1, 0.5f, 0.75f, 1.25f, 1.5f, 1.5f, 1.75f, 2.25f, 2.5f, 2, 2.25f, 2.75f, 3]);
    }

    [Test]
    public void Interpolate_BicubicUsesKeysKernelWithAMinus075()
    {
        // Output 3 of 4 -> 8 samples source 1.25: taps 0..3 at distances 1.25, 0.25, 0.75, 1.75 weigh
        // -0.105469, 0.878906, 0.261719, -0.035156 (Keys, A = -0.75): 0.878906 + 2*0.261719 - 3*0.035156.
        var x = Tensor.FromArray(new float[] { 0, 1, 2, 3 }, 1, 1, 1, 4);
        var y = Functional.Interpolate(x, 1, 8, InterpolationMode.Bicubic).ToArray<float>();
        NumericAssert.Close(y[3], 1.296875, Tolerances.SmallOp, "sample 3", scale: 3);
        NumericAssert.Close(y[4], 1.703125, Tolerances.SmallOp, "sample 4", scale: 3);
    }

    [Test]
    public void Interpolate_BilinearAntialiasAveragesWithATriangleOfTwiceTheWidth()
    {
        // Downscale 4 -> 2: output 0 centred at 1.0 (pixel edges) with support 2 weighs inputs 0,1,2 by
        // 0.75, 0.75, 0.25 (normalized by 1.75): (0*0.75 + 1*0.75 + 2*0.25) / 1.75 = 5/7.
        var x = Tensor.FromArray(new float[] { 0, 1, 2, 3 }, 1, 1, 1, 4);
        TensorAssert.Values(Functional.Interpolate(x, 1, 2, InterpolationMode.Bilinear, antialias: true), [1, 1, 1, 2], [5f / 7, 3 - 5f / 7]);
    }

    [Test]
    public void Interpolate_ScaleArgumentChangesTheMapping()
    {
        // With scale 2 given explicitly the mapping is the same as the size-based one for 2 -> 4;
        // with scale 4 (as F.interpolate(scale_factor=4) would pass) the source coordinate is (i+0.5)/4-0.5.
        var x = Tensor.FromArray(new float[] { 0, 4 }, 1, 1, 1, 2);
        TensorAssert.Values(Functional.Interpolate(x, 1, 4, InterpolationMode.Bilinear, scale: (1, 4)), [1, 1, 1, 4], [0, 0, 0.5f, 1.5f]);
    }

    [Test]
    public void Interpolate_Nearest_AndAntialiasRejected()
    {
        var x = Tensor.FromArray(new float[] { 1, 2 }, 1, 1, 1, 2);
        TensorAssert.Values(Functional.Interpolate(x, 1, 4, InterpolationMode.Nearest), [1, 1, 1, 4], [1, 1, 2, 2]);
        var e = Assert.Throws<TorchException>(() => Functional.Interpolate(x, 1, 4, InterpolationMode.Nearest, antialias: true));
        Assert.That(e!.Message, Does.Contain("antialias"));
    }

    [Test]
    public void Pad_ConstantReflectReplicate()
    {
        var x = Tensor.FromArray(new float[] { 1, 2, 3 }, 1, 1, 3);
        TensorAssert.Values(Functional.Pad(x, [1, 2], value: 9), [1, 1, 6], [9, 1, 2, 3, 9, 9]);
        TensorAssert.Values(Functional.Pad(x, [2, 1], PaddingMode.Reflect), [1, 1, 6], [3, 2, 1, 2, 3, 2]);
        TensorAssert.Values(Functional.Pad(x, [2, 1], PaddingMode.Replicate), [1, 1, 6], [1, 1, 1, 2, 3, 3]);
        var img = Tensor.FromArray(new float[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        TensorAssert.Values(Functional.Pad(img, [1, 0, 0, 1], PaddingMode.Reflect), [1, 1, 3, 3], [2, 1, 2, 4, 3, 4, 2, 1, 2]);
    }
}

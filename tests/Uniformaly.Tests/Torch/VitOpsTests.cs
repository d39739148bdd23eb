using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>
/// The ViT's fused operations (Functional.LinearGelu, LinearAdd, MultiHeadAttention and Linear) on
/// both GEMM engines: exact on small integer problems, and oneDNN's path against libtorch's within
/// the float32 rounding of two different summation orders.
/// </summary>
public sealed class VitOpsTests
{
    private DisposeScope _scope = null!;
    private bool _engine;

    [SetUp]
    public void Setup()
    {
        _scope = new DisposeScope();
        _engine = TorchRuntime.UseOneDnnGemm;
    }

    [TearDown]
    public void TearDown()
    {
        TorchRuntime.UseOneDnnGemm = _engine;
        _scope.Dispose();
    }

    public static IEnumerable<bool> Engines() => TorchRuntime.OneDnnGemmAvailable ? [false, true] : [false];

    [Test]
    public void OneDnn_IsTheDefaultWhereLibtorchLoadedIt()
    {
        if (!TorchRuntime.OneDnnGemmAvailable) Assert.Ignore("this libtorch did not load oneDNN");
        Assert.That(_engine, Is.True);
        TorchRuntime.UseOneDnnGemm = false;
        Assert.That(TorchRuntime.UseOneDnnGemm, Is.False);
    }

    [TestCaseSource(nameof(Engines))]
    public void Linears_GiveTheExactValuesOfSmallIntegerProducts(bool oneDnn)
    {
        TorchRuntime.UseOneDnnGemm = oneDnn;
        var x = Tensor.FromArray(new float[] { 1, 2, -1, 0 }, 1, 2, 2);
        var w = Tensor.FromArray(new float[] { 1, 0, 0, 1, 1, 1 }, 3, 2);
        var b = Tensor.FromArray(new float[] { 0.5f, 0, -1 });
        var residual = Tensor.FromArray(new float[] { 10, 20, 30, 40, 50, 60 }, 1, 2, 3);
        TensorAssert.Values(Functional.Linear(x, w, b), [1, 2, 3], [1.5f, 2, 2, -0.5f, 0, -2]);
        TensorAssert.Values(Functional.Linear(x, w), [1, 2, 3], [1, 2, 3, -1, 0, -1]);
        TensorAssert.Values(Functional.LinearAdd(x, w, b, residual), [1, 2, 3], [11.5f, 22, 32, 39.5f, 50, 58]);
        TensorAssert.Values(Functional.LinearAdd(x, w, null, residual), [1, 2, 3], [11, 22, 33, 39, 50, 59]);
        // GELU(v) = v * Phi(v): Phi(2) = 0.97724987, Phi(1.5) = 0.93319280, Phi(-0.5) = 0.30853754, Phi(-2) = 0.02275013.
        TensorAssert.Values(Functional.LinearGelu(x, w, b), [1, 2, 3],
            [1.5f * 0.9331928f, 2 * 0.97724987f, 2 * 0.97724987f, -0.5f * 0.30853754f, 0, -2 * 0.02275013f], 1e-6f);
    }

    [TestCaseSource(nameof(Engines))]
    public void MultiHeadAttention_IsSoftmaxOfScaledScoresTimesValuesPerHead(bool oneDnn)
    {
        TorchRuntime.UseOneDnnGemm = oneDnn;
        // One image, two tokens, two heads of width 1: qkv = [q0 q1 | k0 k1 | v0 v1] per token.
        var qkv = Tensor.FromArray(new float[] { 1, 0, 1, 2, 3, 5, 0, 1, 0, 0, 7, 11 }, 1, 2, 6);
        var (output, attention) = Functional.MultiHeadAttention(qkv, 2, 0.5, withAttention: true);
        // Head 0: q = (1, 0), k = (1, 0): scores (0.5, 0 | 0, 0); head 1: q = (0, 1), k = (2, 0): (0, 0 | 1, 0).
        var s = 1 / (1 + Math.Exp(-0.5));
        var t = 1 / (1 + Math.Exp(-1.0));
        TensorAssert.Values(attention!, [1, 2, 2, 2], [(float)s, (float)(1 - s), 0.5f, 0.5f, 0.5f, 0.5f, (float)t, (float)(1 - t)]);
        // Values: head 0 (3, 7), head 1 (5, 11).
        TensorAssert.Values(output, [1, 2, 2],
            [(float)(3 * s + 7 * (1 - s)), 8, 5, (float)(5 * t + 11 * (1 - t))], 1e-5f);
        var (alone, none) = Functional.MultiHeadAttention(qkv, 2, 0.5, withAttention: false);
        Assert.That(none, Is.Null, "no attention asked for, none returned");
        TensorAssert.Values(alone, [1, 2, 2], output.ToArray<float>());
    }

    // Two float32 sums of the same k terms in different orders differ by at most
    // 2 gamma_k sum_i |a_i b_i|, gamma_k = k u / (1 - k u), u = 2^-24 (Higham, Accuracy and
    // Stability of Numerical Algorithms, 3.1): the bounds below, which a wrong bias, residual, GELU,
    // scale or head split exceeds by orders of magnitude.
    private static double Gamma(long k) => k * Math.Pow(2, -24) / (1 - k * Math.Pow(2, -24));

    [Test]
    public void OneDnnAndLibtorch_LinearsAgreeWithinFloat32Rounding()
    {
        if (!TorchRuntime.OneDnnGemmAvailable) Assert.Ignore("this libtorch did not load oneDNN");
        TorchRuntime.ManualSeed(3);
        const int k = 96;
        var x = Tensor.Randn([2, 37, k]);
        var w = Tensor.Randn([3 * k, k]);
        var b = Tensor.Randn([3 * k]);
        var residual = Tensor.Randn([2, 37, 3 * k]);
        // Per element: the k products, the bias and the residual are summed in different orders.
        var magnitude = Functional.Linear(x.Abs(), w.Abs(), b.Abs());
        var bound = magnitude * (2 * Gamma(k + 1));
        var ops = new (string Name, Func<Tensor> Run, Tensor Bound)[]
        {
            ("linear", () => Functional.Linear(x, w, b), bound),
            ("linear + GELU", () => Functional.LinearGelu(x, w, b), bound * 1.13), // |GELU'| < 1.13
            ("residual + linear", () => Functional.LinearAdd(x, w, b, residual), (magnitude + residual.Abs()) * (2 * Gamma(k + 2))),
        };
        foreach (var (name, run, limit) in ops)
        {
            TorchRuntime.UseOneDnnGemm = false;
            var libtorch = run();
            TorchRuntime.UseOneDnnGemm = true;
            var onednn = run();
            Assert.That(onednn.Shape, Is.EqualTo(libtorch.Shape), name);
            var excess = ((onednn - libtorch).Abs() - limit).Max().Item();
            Assert.That(excess, Is.LessThanOrEqualTo(0), $"{name}: largest difference beyond the rounding bound");
        }
    }

    [Test]
    public void OneDnnAndLibtorch_AttentionAgreesWithinFloat32Rounding()
    {
        if (!TorchRuntime.OneDnnGemmAvailable) Assert.Ignore("this libtorch did not load oneDNN");
        TorchRuntime.ManualSeed(4);
        const int tokens = 37, heads = 3, width = 32;
        const double scale = 0.125;
        var qkv = Tensor.Randn([2, tokens, 3 * heads * width]);
        TorchRuntime.UseOneDnnGemm = false;
        var (libtorchOutput, libtorchAttention) = Functional.MultiHeadAttention(qkv, heads, scale, true);
        TorchRuntime.UseOneDnnGemm = true;
        var (onednnOutput, onednnAttention) = Functional.MultiHeadAttention(qkv, heads, scale, true);
        // Scores: width products each; the softmax moves a probability by at most twice its
        // inputs' largest change; the output sums tokens probabilities times values.
        var largest = qkv.Abs().Max().Item();
        var scores = 2 * Gamma(width) * scale * width * largest * largest;
        var probabilities = 2 * scores;
        var output = tokens * probabilities * largest + 2 * Gamma(tokens) * largest;
        Assert.That((onednnAttention! - libtorchAttention!).Abs().Max().Item(), Is.LessThanOrEqualTo(probabilities), "attention");
        Assert.That((onednnOutput - libtorchOutput).Abs().Max().Item(), Is.LessThanOrEqualTo(output), "output");
    }

    [TestCaseSource(nameof(Engines))]
    public void BFloat16Linears_RoundTheInputsAndSumInFloat32(bool oneDnn)
    {
        TorchRuntime.UseOneDnnGemm = oneDnn;
        // 1 + 2^-10 and 3 + 2^-7 are not bfloat16 numbers (8 significant bits): they round to 1 and 3.
        var x = Tensor.FromArray(new float[] { 1 + 1f / 1024, 2, 3 + 1f / 128, -1 }, 1, 2, 2);
        var w = Tensor.FromArray(new float[] { 1, 0, 0, 1, 1, 1 }, 3, 2).To(DType.BFloat16);
        var b = Tensor.FromArray(new float[] { 0.5f, 0, -1 });
        var residual = Tensor.FromArray(new float[] { 10, 20, 30, 40, 50, 60 }, 1, 2, 3);
        TensorAssert.Values(Functional.Linear(x, w, b), [1, 2, 3], [1.5f, 2, 2, 3.5f, -1, 1], 0);
        TensorAssert.Values(Functional.LinearAdd(x, w, b, residual), [1, 2, 3], [11.5f, 22, 32, 43.5f, 49, 61], 0);
        // 1 and 2^-20 are bfloat16 numbers, their sum is not (it needs 21 bits) but is a float32
        // one: kept, as the sums are float32.
        var small = (float)Math.Pow(2, -20);
        var pair = Tensor.FromArray(new float[] { 1, small }, 1, 2);
        var ones = Tensor.Ones([1, 2]).To(DType.BFloat16);
        TensorAssert.Values(Functional.Linear(pair, ones), [1, 1], [1 + small], 0);
    }

    [Test]
    public void OneDnnAndEmulation_BFloat16LinearsAgreeWithinFloat32Rounding()
    {
        if (!TorchRuntime.OneDnnGemmAvailable) Assert.Ignore("this libtorch did not load oneDNN");
        TorchRuntime.ManualSeed(5);
        const int k = 96;
        var x = Tensor.Randn([2, 37, k]);
        var w = Tensor.Randn([2 * k, k]).To(DType.BFloat16);
        var b = Tensor.Randn([2 * k]);
        // Both sum the same bfloat16-rounded products (exact in float32) in different orders.
        var rounded = x.To(DType.BFloat16).To(DType.Float32).Abs();
        var bound = Functional.Linear(rounded, w.To(DType.Float32).Abs(), b.Abs()) * (2 * Gamma(k + 1));
        TorchRuntime.UseOneDnnGemm = false;
        var emulated = Functional.Linear(x, w, b);
        TorchRuntime.UseOneDnnGemm = true;
        var onednn = Functional.Linear(x, w, b);
        Assert.That(((onednn - emulated).Abs() - bound).Max().Item(), Is.LessThanOrEqualTo(0));
    }

    [Test]
    public void MultiHeadAttention_RejectsAWidthThatIsNotThreeHeadsWide()
    {
        var qkv = Tensor.Zeros([1, 4, 10]);
        var error = Assert.Throws<TorchException>(() => Functional.MultiHeadAttention(qkv, 3, 1, false));
        Assert.That(error!.Message, Does.Contain("3 * heads * head_dim"));
    }
}

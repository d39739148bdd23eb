using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>libtorch failures come back as managed exceptions with libtorch's message; the
/// process survives and keeps working.</summary>
public sealed class ErrorPropagationTests
{
    [Test]
    public void ShapeMismatch_CarriesLibtorchsMessage()
    {
        using var a = Tensor.Zeros([2, 3]);
        using var b = Tensor.Zeros([4, 5]);
        var e = Assert.Throws<TorchException>(() => a.MatMul(b));
        Assert.That(e!.Message, Does.Contain("cannot be multiplied").Or.Contain("shapes"));
        Assert.That(e.Message, Does.Not.Contain("frame #"), "no C++ backtrace in the message");
    }

    [Test]
    public void BroadcastMismatch_Throws()
    {
        using var a = Tensor.Zeros([2, 3]);
        using var b = Tensor.Zeros([4]);
        var e = Assert.Throws<TorchException>(() => _ = a + b);
        Assert.That(e!.Message, Does.Contain("must match the size"));
    }

    [Test]
    public void OutOfMemory_IsAManagedException()
    {
        // 2^62 float32 elements cannot be allocated anywhere.
        var e = Assert.Throws<TorchException>(() => Tensor.Empty([1L << 31, 1L << 31]));
        Assert.That(e!.Message, Is.Not.Empty);
    }

    [Test]
    public void NegativeDimension_IsAManagedException()
    {
        Assert.Throws<TorchException>(() => Tensor.Zeros([-1]));
    }

    [Test]
    public void TwoResultOps_FailWithoutLeaking()
    {
        using var a = Tensor.Zeros([3]);
        var before = Tensor.LiveCount;
        Assert.Throws<TorchException>(() => a.Sort(5));
        Assert.Throws<TorchException>(() => a.Max(3));
        Assert.That(Tensor.LiveCount, Is.EqualTo(before));
    }

    [Test]
    public void AfterAnError_TheNextCallSucceeds()
    {
        using var a = Tensor.Zeros([2]);
        Assert.Throws<TorchException>(() => a.Reshape(3));
        using var b = a.Reshape(2, 1);
        Assert.That(b.Shape, Is.EqualTo(new long[] { 2, 1 }));
    }

    [Test]
    public void ErrorsAreKeptPerThread()
    {
        // A failure on one thread must report its own message, not another thread's.
        var messages = new string[4];
        Parallel.For(0, 4, i =>
        {
            using var t = Tensor.Zeros([i + 1]);
            try { t.Reshape(100 + i); }
            catch (TorchException e) { messages[i] = e.Message; }
        });
        for (var i = 0; i < 4; i++)
            Assert.That(messages[i], Does.Contain($"{100 + i}"));
    }
}

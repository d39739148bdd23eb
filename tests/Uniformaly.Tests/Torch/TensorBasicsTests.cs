using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>Creation, data round trips, queries, dtype and device conversion.</summary>
public sealed class TensorBasicsTests
{
    [Test]
    public void FromArray_RoundTripsValuesAndShape()
    {
        using var t = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Assert.That(t.Shape, Is.EqualTo(new long[] { 2, 3 }));
        Assert.That(t.DType, Is.EqualTo(DType.Float32));
        Assert.That(t.Device, Is.EqualTo(Device.Cpu));
        Assert.That(t.NumEl, Is.EqualTo(6));
        Assert.That(t.Strides, Is.EqualTo(new long[] { 3, 1 }));
        Assert.That(t.ToArray<float>(), Is.EqualTo(new float[] { 1, 2, 3, 4, 5, 6 }));
    }

    [TestCase(DType.Float32)]
    [TestCase(DType.Float16)]
    [TestCase(DType.BFloat16)]
    [TestCase(DType.Int64)]
    [TestCase(DType.Int32)]
    [TestCase(DType.UInt8)]
    [TestCase(DType.Bool)]
    public void To_DType_ConvertsExactlyRepresentableValues(DType dtype)
    {
        using var t = Tensor.FromArray(new float[] { 0, 1, 2, 0, 1, 3 }, 6);
        using var converted = t.To(dtype);
        Assert.That(converted.DType, Is.EqualTo(dtype));
        using var back = converted.To(DType.Float32);
        var expected = dtype == DType.Bool ? new float[] { 0, 1, 1, 0, 1, 1 } : new float[] { 0, 1, 2, 0, 1, 3 };
        Assert.That(back.ToArray<float>(), Is.EqualTo(expected));
    }

    [Test]
    public void ManagedTypes_MapToDTypes()
    {
        using var l = Tensor.FromArray(new long[] { 5, -7 });
        using var i = Tensor.FromArray(new[] { 5, -7 });
        using var b = Tensor.FromArray(new byte[] { 255, 0 });
        using var f = Tensor.FromArray(new[] { true, false });
        using var h = Tensor.FromArray(new[] { (Half)1.5, (Half)(-2) });
        Assert.That((l.DType, i.DType, b.DType, f.DType, h.DType),
            Is.EqualTo((DType.Int64, DType.Int32, DType.UInt8, DType.Bool, DType.Float16)));
        Assert.That(l.ToArray<long>(), Is.EqualTo(new long[] { 5, -7 }));
        Assert.That(b.ToArray<byte>(), Is.EqualTo(new byte[] { 255, 0 }));
        Assert.That(h.ToArray<Half>(), Is.EqualTo(new[] { (Half)1.5, (Half)(-2) }));
    }

    [Test]
    public void BFloat16_BytesRoundTrip()
    {
        // bf16 is the top half of a float32: 1.0f = 0x3F800000 -> 0x3F80, -2.0f = 0xC0000000 -> 0xC000.
        var bytes = new byte[] { 0x80, 0x3F, 0x00, 0xC0 };
        using var t = Tensor.FromBytes(bytes, DType.BFloat16, 2);
        using var f = t.To(DType.Float32);
        Assert.That(f.ToArray<float>(), Is.EqualTo(new float[] { 1, -2 }));
        Assert.That(t.ToBytes(), Is.EqualTo(bytes));
    }

    [Test]
    public void ToArray_WithWrongManagedType_Throws()
    {
        using var t = Tensor.FromArray(new float[] { 1 });
        var e = Assert.Throws<ArgumentException>(() => t.ToArray<long>());
        Assert.That(e!.Message, Does.Contain("Float32"));
    }

    [Test]
    public void FromArray_WithShapeNotMatchingData_ThrowsTorchException()
    {
        var e = Assert.Throws<TorchException>(() => Tensor.FromArray(new float[] { 1, 2, 3 }, 2, 2));
        Assert.That(e!.Message, Does.Contain("12 bytes given"));
    }

    [Test]
    public void Factories_FillAsAsked()
    {
        using var z = Tensor.Zeros([2, 2]);
        using var o = Tensor.Ones([3], DType.Int64);
        using var f = Tensor.Full([2], 2.5);
        using var a = Tensor.Arange(0, 10, 3);
        using var s = Tensor.Scalar(4);
        Assert.That(z.ToArray<float>(), Is.EqualTo(new float[4]));
        Assert.That(o.ToArray<long>(), Is.EqualTo(new long[] { 1, 1, 1 }));
        Assert.That(f.ToArray<float>(), Is.EqualTo(new[] { 2.5f, 2.5f }));
        Assert.That(a.ToArray<long>(), Is.EqualTo(new long[] { 0, 3, 6, 9 }));
        Assert.That(s.Shape, Is.Empty);
        Assert.That(s.Item(), Is.EqualTo(4));
    }

    [Test]
    public void Empty_HasShapeAndDType()
    {
        using var e = Tensor.Empty([3, 0, 2], DType.Int32);
        Assert.That(e.Shape, Is.EqualTo(new long[] { 3, 0, 2 }));
        Assert.That(e.NumEl, Is.EqualTo(0));
        Assert.That(e.ToArray<int>(), Is.Empty);
    }

    [Test]
    public void Clone_IsIndependent_Alias_SharesStorage()
    {
        using var t = Tensor.FromArray(new float[] { 1, 2 });
        using var clone = t.Clone();
        using var alias = t.Alias();
        t.Fill(7);
        Assert.That(clone.ToArray<float>(), Is.EqualTo(new float[] { 1, 2 }));
        Assert.That(alias.ToArray<float>(), Is.EqualTo(new float[] { 7, 7 }));
    }

    [Test]
    public void CopyFrom_WritesThroughAView()
    {
        using var t = Tensor.Zeros([2, 3]);
        using var row = t.Select(0, 1);
        using var src = Tensor.FromArray(new float[] { 1, 2, 3 });
        row.CopyFrom(src);
        Assert.That(t.ToArray<float>(), Is.EqualTo(new float[] { 0, 0, 0, 1, 2, 3 }));
    }

    [Test]
    public void NonContiguousTensor_CopiesOutInLogicalOrder()
    {
        using var t = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        using var tt = t.Transpose(0, 1);
        Assert.That(tt.IsContiguous, Is.False);
        Assert.That(tt.ToArray<float>(), Is.EqualTo(new float[] { 1, 4, 2, 5, 3, 6 }));
    }

    [Test]
    public void Device_ParsesAndFormats()
    {
        Assert.That(Device.Parse("cpu"), Is.EqualTo(Device.Cpu));
        Assert.That(Device.Parse("cuda"), Is.EqualTo(Device.Cuda(0)));
        Assert.That(Device.Parse("CUDA:2"), Is.EqualTo(Device.Cuda(2)));
        Assert.That(Device.Cuda(1).ToString(), Is.EqualTo("cuda:1"));
        Assert.Throws<ArgumentException>(() => Device.Parse("gpu"));
        Assert.Throws<ArgumentException>(() => Device.Parse("cuda:-1"));
    }

    [Test]
    public void DType_ParsesNames()
    {
        Assert.That(DTypeExtensions.Parse("bf16"), Is.EqualTo(DType.BFloat16));
        Assert.That(DTypeExtensions.Parse("float16"), Is.EqualTo(DType.Float16));
        Assert.Throws<ArgumentException>(() => DTypeExtensions.Parse("complex64"));
    }

    [Test]
    public void Autograd_IsOffByDefault_AndCanBeEnabled()
    {
        Assert.That(TorchRuntime.GradEnabled, Is.False);
        using (TorchRuntime.EnableGrad())
            Assert.That(TorchRuntime.GradEnabled, Is.True);
        Assert.That(TorchRuntime.GradEnabled, Is.False);
    }

    [Test]
    public void DisposedTensor_ThrowsObjectDisposed()
    {
        var t = Tensor.Zeros([1]);
        t.Dispose();
        Assert.That(t.IsDisposed, Is.True);
        Assert.Throws<ObjectDisposedException>(() => _ = t.Shape);
    }
}

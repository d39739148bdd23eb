using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>AsStrided views and raw byte transfer between files and native tensor memory.</summary>
public sealed class RawMemoryTests
{
    [Test]
    public void AsStrided_ViewsStorageWithGivenStridesAndOffset()
    {
        using var storage = Tensor.Arange(0, 10, dtype: DType.Float32);
        using var view = storage.AsStrided([2, 3], [1, 2], 3);
        // torch.arange(10.).as_strided((2, 3), (1, 2), 3) == [[3, 5, 7], [4, 6, 8]]
        Assert.That(view.ToArray<float>(), Is.EqualTo(new float[] { 3, 5, 7, 4, 6, 8 }));
        Assert.That(view.Strides, Is.EqualTo(new long[] { 1, 2 }));
        storage.Fill(1);
        Assert.That(view.ToArray<float>(), Is.All.EqualTo(1f), "a view shares the storage");
    }

    [Test]
    public void AsStrided_OutOfStorage_IsATorchException()
    {
        using var storage = Tensor.Zeros([4]);
        Assert.Throws<TorchException>(() => storage.AsStrided([3], [2], 0).Dispose());
        Assert.Throws<ArgumentException>(() => storage.AsStrided([3], [1, 1], 0).Dispose());
    }

    [Test]
    public void WriteTo_ThenReadFrom_RoundTripsNonContiguousTensors()
    {
        using var folder = new TempFolder();
        var path = folder.File("raw.bin");
        using var m = Tensor.Arange(0, 6, dtype: DType.Int64).Reshape(2, 3);
        using var t = m.Transpose(0, 1);
        using (var stream = File.Create(path))
        {
            stream.Write(new byte[5]);
            t.WriteTo(stream);
        }
        using var file = File.OpenHandle(path);
        using var back = Tensor.ReadFrom(file, 5, DType.Int64, [3, 2]);
        Assert.That(back.ToArray<long>(), Is.EqualTo(new long[] { 0, 3, 1, 4, 2, 5 }));
        var e = Assert.Throws<EndOfStreamException>(() => Tensor.ReadFrom(file, 6, DType.Int64, [3, 2]));
        Assert.That(e!.Message, Does.Contain("short of a Int64 tensor of shape [3, 2]"));
    }
}

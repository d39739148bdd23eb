using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>Threads, seeds, random tensors and CUDA queries.</summary>
public sealed class RuntimeTests
{
    [Test]
    public void Version_IsLibtorchs()
    {
        Assert.That(TorchRuntime.Version, Does.Match(@"^\d+\.\d+"));
    }

    [Test]
    public void NumThreads_DefaultsToCores_AndCanBeSet()
    {
        Assert.That(TorchRuntime.NumThreads, Is.EqualTo(Environment.ProcessorCount));
        try
        {
            TorchRuntime.NumThreads = 1;
            Assert.That(TorchRuntime.NumThreads, Is.EqualTo(1));
        }
        finally
        {
            TorchRuntime.NumThreads = Environment.ProcessorCount;
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => TorchRuntime.NumThreads = 0);
    }

    [Test]
    public void ManualSeed_ReproducesPyTorchsSequences()
    {
        // The same libtorch generator as PyTorch: torch.manual_seed(0); torch.rand(3) etc.
        using var scope = new DisposeScope();
        TorchRuntime.ManualSeed(0);
        TensorAssert.Values(Tensor.Rand([3]), [3], [0.49625659f, 0.76822180f, 0.08847743f]);
        TorchRuntime.ManualSeed(0);
        TensorAssert.Values(Tensor.Randn([3]), [3], [1.54099607f, -0.29342890f, -2.17878938f]);
        TorchRuntime.ManualSeed(0);
        TensorAssert.Longs(Tensor.RandPerm(6), [6], [2L, 5L, 3L, 0L, 1L, 4L]);
    }

    [Test]
    public void RandomTensors_HaveTheirDistributions()
    {
        using var scope = new DisposeScope();
        TorchRuntime.ManualSeed(1);
        var u = Tensor.Rand([10000]);
        Assert.That(u.Min().Item(), Is.GreaterThanOrEqualTo(0));
        Assert.That(u.Max().Item(), Is.LessThan(1));
        Assert.That(u.Mean().Item(), Is.EqualTo(0.5).Within(Tolerances.SampleMean(Math.Sqrt(1.0 / 12), 10000)), "uniform: mean 1/2, sd 1/sqrt(12)");
        var n = Tensor.Randn([10000]);
        Assert.That(n.Mean().Item(), Is.EqualTo(0).Within(Tolerances.SampleMean(1, 10000)), "normal: mean 0, sd 1");
        Assert.That(n.Pow(2).Mean().Item(), Is.EqualTo(1).Within(Tolerances.SampleMean(Math.Sqrt(2), 10000)), "x² of a normal: mean 1, sd sqrt(2)");
        var perm = Tensor.RandPerm(100).Sort(0).Values.ToArray<long>();
        Assert.That(perm, Is.EqualTo(Enumerable.Range(0, 100).Select(i => (long)i).ToArray()));
        var ints = Tensor.RandInt(3, 7, [1000]);
        Assert.That((ints.Min().Item(), ints.Max().Item()), Is.EqualTo((3.0, 6.0)));
    }

    [Test]
    public void CudaQueries_AreConsistent()
    {
        var available = TorchRuntime.CudaIsAvailable;
        Assert.That(TorchRuntime.CudaDeviceCount > 0, Is.EqualTo(available));
        Assert.DoesNotThrow(() => TorchRuntime.EnsureAvailable(Device.Cpu));
    }

    [Test]
    public void CudaDevice_WhenAvailable_HoldsTensors()
    {
        Cuda.Require();
        using var t = Tensor.Ones([2], device: Device.Cuda(0));
        Assert.That(t.Device, Is.EqualTo(Device.Cuda(0)));
        TorchRuntime.CudaSynchronize();
    }

    [Test]
    public void CudaDevice_WhenUnavailable_GivesClearErrors()
    {
        Cuda.RequireAbsent();
        var ensure = Assert.Throws<TorchException>(() => TorchRuntime.EnsureAvailable(Device.Cuda(0)));
        Assert.That(ensure!.Message, Does.Contain("CUDA is not available"));
        var create = Assert.Throws<TorchException>(() => Tensor.Zeros([2], device: Device.Cuda(0)));
        Assert.That(create!.Message, Does.Contain("CUDA").IgnoreCase);
        using var cpu = Tensor.Zeros([2]);
        var move = Assert.Throws<TorchException>(() => cpu.To(Device.Cuda(0)));
        Assert.That(move!.Message, Does.Contain("CUDA").IgnoreCase);
    }
}

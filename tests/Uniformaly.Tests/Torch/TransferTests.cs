using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>Pinned memory, copies started ahead of use, stream synchronization and the CUDA
/// free-memory query, on whichever libtorch the bridge was built against.</summary>
public sealed class TransferTests
{
    [Test]
    public void PinMemory_PinsWithCuda()
    {
        Cuda.Require();
        using var scope = new DisposeScope();
        var host = Tensor.Arange(0, 6, dtype: DType.Float32);
        Assert.That(host.IsPinned, Is.False);
        var pinned = host.PinMemory();
        Assert.That(pinned.IsPinned, Is.True);
        Assert.That(pinned.ToArray<float>(), Is.EqualTo(host.ToArray<float>()));
    }

    [Test]
    public void PinMemory_FailsClearlyWithoutCuda()
    {
        Cuda.RequireAbsent();
        using var scope = new DisposeScope();
        var host = Tensor.Arange(0, 6, dtype: DType.Float32);
        Assert.That(host.IsPinned, Is.False);
        Assert.That(() => host.PinMemory(), Throws.TypeOf<TorchException>().With.Message.Contains("pinned host memory needs CUDA"));
    }

    [Test]
    public void StartCopy_Finish_GivesTheTensorOnTheDevice()
    {
        using var scope = new DisposeScope();
        var source = Tensor.Arange(0, 12, dtype: DType.Float32).View(3, 4);
        var device = TorchRuntime.CudaIsAvailable ? Device.Cuda() : Device.Cpu;
        using var copy = source.Narrow(0, 1, 2).StartCopy(device);
        var result = copy.Finish();
        Assert.That(result.Device, Is.EqualTo(device));
        Assert.That(result.Shape, Is.EqualTo(new long[] { 2, 4 }));
        Assert.That(result.ToArray<float>(), Is.EqualTo(new float[] { 4, 5, 6, 7, 8, 9, 10, 11 }));
        Assert.That(() => copy.Finish(), Throws.InvalidOperationException);
    }

    [Test]
    public void To_NonBlocking_CopiesTheValues()
    {
        using var scope = new DisposeScope();
        var source = Tensor.Arange(0, 5, dtype: DType.Float32);
        var device = TorchRuntime.CudaIsAvailable ? Device.Cuda() : Device.Cpu;
        var copy = source.To(device, nonBlocking: true);
        Assert.That(copy.Device, Is.EqualTo(device));
        Assert.That(copy.ToArray<float>(), Is.EqualTo(new float[] { 0, 1, 2, 3, 4 }));
    }

    [Test]
    public void AbandonedCopy_LeavesNoTensorBehind()
    {
        using var source = Tensor.Zeros([4, 4]);
        var live = Tensor.LiveCount;
        source.StartCopy(Device.Cpu).Dispose();
        Assert.That(Tensor.LiveCount, Is.EqualTo(live));
    }

    /// <summary>The switch exists from PyTorch 2.0 on (in every build: it is a global context
    /// setting), not in libtorch 1.13.</summary>
    [Test]
    public void DisallowReducedPrecisionBFloat16Reductions_AppliesWhereLibtorchHasTheSwitch()
    {
        var major = int.Parse(TorchRuntime.Version.Split('.')[0]);
        Assert.That(TorchRuntime.DisallowReducedPrecisionBFloat16Reductions(), Is.EqualTo(major >= 2));
    }

    [Test]
    public void CudaQueries_AnswerWithoutCuda()
    {
        Cuda.RequireAbsent();
        TorchRuntime.SynchronizeStream(Device.Cpu);
        Assert.That(TorchRuntime.CudaMemoryInfo(), Is.Null);
    }

    [Test]
    public void CudaQueries_ReportTheDevicesMemory()
    {
        Cuda.Require();
        TorchRuntime.SynchronizeStream(Device.Cpu);
        var memory = TorchRuntime.CudaMemoryInfo();
        Assert.That(memory, Is.Not.Null);
        Assert.That(memory!.Value.Free, Is.InRange(1L, memory.Value.Total));
        TorchRuntime.SynchronizeStream(Device.Cuda());
    }
}

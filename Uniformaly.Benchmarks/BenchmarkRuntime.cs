using Uniformaly.Research.Torch;

namespace Uniformaly.Benchmarks;

/// <summary>The libtorch settings every same-run comparison starts from.</summary>
public static class BenchmarkRuntime
{
    /// <summary>Both sides use every core, the toolkit's default.</summary>
    public static int Threads => Environment.ProcessorCount;

    /// <summary>The devices every suite runs on: cpu, and cuda when libtorch reports CUDA (for
    /// <c>[ParamsSource]</c>).</summary>
    public static IEnumerable<string> Devices()
    {
        TorchRuntime.Initialize();
        return TorchRuntime.CudaIsAvailable ? ["cpu", "cuda"] : ["cpu"];
    }

    /// <summary>Waits for queued CUDA work, so that a timed call counts what it launched.</summary>
    public static void Synchronize(Device device)
    {
        if (device.IsCuda) TorchRuntime.CudaSynchronize(device.Index);
    }

    /// <summary>Threads = <see cref="Threads"/>, generator seeded with 0.</summary>
    public static void Prepare()
    {
        TorchRuntime.Initialize();
        TorchRuntime.NumThreads = Threads;
        TorchRuntime.ManualSeed(0);
    }
}

using Uniformaly.Research.Torch;

namespace Uniformaly.Benchmarks;

/// <summary>The libtorch settings every same-run comparison starts from.</summary>
public static class BenchmarkRuntime
{
    /// <summary>Both sides use every core, the toolkit's default.</summary>
    public static int Threads => Environment.ProcessorCount;

    /// <summary>Threads = <see cref="Threads"/>, generator seeded with 0.</summary>
    public static void Prepare()
    {
        TorchRuntime.Initialize();
        TorchRuntime.NumThreads = Threads;
        TorchRuntime.ManualSeed(0);
    }
}

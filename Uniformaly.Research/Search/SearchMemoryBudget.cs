using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Search;

/// <summary>
/// How many bank rows one chunk of the exact search covers: the [Q, chunk] float32 distance block
/// must fit in a byte budget. Defaults: 16 MiB on the CPU; on CUDA a quarter of the device's free
/// memory (between 64 MiB and 4 GiB), or 1 GiB where the free memory cannot be read.
/// </summary>
/// <remarks>
/// CPU: glibc serves blocks above its mmap threshold (at most 32 MiB) with fresh mmaps, so a
/// larger block is page-faulted in again on every chunk; measured with 784 x 65536 x 768 on two
/// threads, one 205 MB block took 1.05 s per batch, 8192-row (26 MB) blocks 0.41 s, and 1024 to
/// 8192 rows were all within 5 %. CUDA: the caching allocator reuses blocks, so the budget only
/// bounds memory; a quarter of what cudaMemGetInfo reports free leaves room for the GEMM's
/// workspace, the candidates and other processes (memory cached by libtorch counts as used there,
/// so the figure is conservative). The bridge looks cudaMemGetInfo up at run time
/// (<see cref="TorchRuntime.CudaMemoryInfo"/>), so it still builds against CPU-only libtorch.
/// </remarks>
public static class SearchMemoryBudget
{
    public const long CpuDefaultBytes = 16L << 20;

    /// <summary>The CUDA budget when the free memory is unknown.</summary>
    public const long CudaDefaultBytes = 1L << 30;

    public const long CudaMinBytes = 64L << 20, CudaMaxBytes = 4L << 30;

    /// <summary>The fewest bank rows per chunk (unless the bank is smaller): narrower blocks
    /// starve the GEMM, so a huge query batch may exceed the budget rather than crawl.</summary>
    public const long MinChunkRows = 512;

    /// <summary>The default budget in bytes for <paramref name="device"/>.</summary>
    public static long DefaultBytes(Device device) =>
        device.IsCuda ? CudaBytes(TorchRuntime.CudaMemoryInfo(device.Index)?.Free) : CpuDefaultBytes;

    /// <summary>The CUDA budget for <paramref name="freeBytes"/> of free device memory (null: unknown).</summary>
    public static long CudaBytes(long? freeBytes) =>
        freeBytes is { } free ? Math.Clamp(free / 4, CudaMinBytes, CudaMaxBytes) : CudaDefaultBytes;

    /// <summary>Bank rows per chunk for <paramref name="queries"/> query rows: floor(budget / (4 · Q)),
    /// at least <see cref="MinChunkRows"/> and <paramref name="neighbours"/> (so a chunk can hold
    /// n_nn candidates), at most <paramref name="bankRows"/>.</summary>
    public static long ChunkRows(long budgetBytes, long queries, long bankRows, int neighbours)
    {
        if (budgetBytes < 1) throw new ArgumentOutOfRangeException(nameof(budgetBytes), budgetBytes, "memory budget must be positive");
        var rows = budgetBytes / (sizeof(float) * Math.Max(1, queries));
        return Math.Min(bankRows, Math.Max(Math.Max(neighbours, MinChunkRows), rows));
    }
}

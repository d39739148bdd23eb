using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Detection;

/// <summary>
/// How many bank rows one chunk of the exact search covers: the [Q, chunk] float32 distance block
/// must fit in a byte budget. Defaults: 256 MiB on the CPU, 1 GiB on CUDA (the bridge cannot
/// query free device memory yet, so the CUDA default is fixed and conservative for 16+ GiB cards).
/// </summary>
public static class SearchMemoryBudget
{
    public const long CpuDefaultBytes = 256L << 20;

    public const long CudaDefaultBytes = 1L << 30;

    /// <summary>The default budget in bytes for <paramref name="device"/>.</summary>
    public static long DefaultBytes(Device device) => device.IsCuda ? CudaDefaultBytes : CpuDefaultBytes;

    /// <summary>Bank rows per chunk for <paramref name="queries"/> query rows: floor(budget / (4 · Q)),
    /// at least <paramref name="neighbours"/> (so a chunk can hold n_nn candidates) and at most
    /// <paramref name="bankRows"/>.</summary>
    public static long ChunkRows(long budgetBytes, long queries, long bankRows, int neighbours)
    {
        if (budgetBytes < 1) throw new ArgumentOutOfRangeException(nameof(budgetBytes), budgetBytes, "memory budget must be positive");
        var rows = budgetBytes / (sizeof(float) * Math.Max(1, queries));
        return Math.Min(bankRows, Math.Max(neighbours, rows));
    }
}

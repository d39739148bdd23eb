namespace Uniformaly.Research.Torch;

/// <summary>The CPU kernels of the approximate greedy coreset (native/src/ops_coreset.cpp). The
/// picks read the projected rows in blocks of 16 rows, [⌈M/16⌉, P, 16] (lane l of block b is row
/// 16b + l), so that a dot product needs no horizontal sum.</summary>
public sealed partial class Tensor
{
    /// <summary>Whether this CPU runs <see cref="CoresetStart"/> and <see cref="CoresetGreedy"/> (AVX-512).</summary>
    public static bool CoresetKernelsAvailable => Native.ufm_coreset_kernels_available() != 0;

    /// <summary>rows [N, D] · projection [P, D]ᵀ = [N, P] float32 on the CPU (as F.linear), each output
    /// a fused multiply-add chain over D in order, so a row's projection does not depend on the rows
    /// projected with it (any CPU).</summary>
    public static Tensor CoresetProject(Tensor rows, Tensor projection) => Wrap(Native.ufm_coreset_project(rows.Handle, projection.Handle));

    /// <summary>Writes rows [N, P] into the blocked layout <paramref name="blocked"/> from row
    /// <paramref name="firstRow"/> (a multiple of 16).</summary>
    public static void CoresetPack(Tensor blocked, long firstRow, Tensor rows) =>
        TorchException.Check(Native.ufm_coreset_pack(blocked.Handle, firstRow, rows.Handle));

    /// <summary>Fills <paramref name="norms"/> (|r|²) and <paramref name="distances"/> (the mean Euclidean
    /// distance to the <paramref name="startRows"/>) for the <paramref name="rows"/> rows of
    /// <paramref name="blocked"/>; both float32 [⌈M/16⌉·16], padding rows get 0 and −inf.</summary>
    public static void CoresetStart(Tensor blocked, long rows, Tensor startRows, Tensor norms, Tensor distances) =>
        TorchException.Check(Native.ufm_coreset_start(blocked.Handle, rows, startRows.Handle, norms.Handle, distances.Handle));

    /// <summary><paramref name="count"/> greedy picks into <paramref name="selected"/> from slot
    /// <paramref name="first"/>: each takes the farthest row (torch.argmax's order) and lowers every
    /// distance to min(itself, the Euclidean distance to that row), one pass over the rows per pick.</summary>
    public static void CoresetGreedy(Tensor blocked, Tensor norms, Tensor distances, Tensor selected, long first, long count) =>
        TorchException.Check(Native.ufm_coreset_greedy(blocked.Handle, norms.Handle, distances.Handle, selected.Handle, first, count));

    /// <summary>The machine's memory bandwidth like STREAM at the current thread count, over three
    /// arrays of <paramref name="bytes"/>: the best of <paramref name="repeats"/> read-only sums (8
    /// interleaved streams per thread: one stream per core leaves bandwidth unused) and
    /// triads a = b + 3c, in GB/s (10⁹ bytes; the triad counts three arrays, as STREAM does).</summary>
    public static (double ReadGbs, double TriadGbs) MemoryBandwidth(long bytes, int repeats)
    {
        TorchException.Check(Native.ufm_memory_bandwidth(bytes, repeats, out var read, out var triad));
        return (read, triad);
    }
}

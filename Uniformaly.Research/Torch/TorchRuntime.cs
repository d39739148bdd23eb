using System.Runtime.InteropServices;

namespace Uniformaly.Research.Torch;

/// <summary>Process-wide libtorch settings: threads, seeds, CUDA, autograd mode.</summary>
public static class TorchRuntime
{
    /// <summary>The libtorch version the bridge was built against.</summary>
    public static string Version => Marshal.PtrToStringUTF8(Native.ufm_torch_version()) ?? "unknown";

    /// <summary>Intra-op threads; defaults to the machine's cores (see <see cref="Initialize"/>).</summary>
    public static int NumThreads
    {
        get => Native.ufm_get_num_threads();
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "thread count must be at least 1");
            TorchException.Check(Native.ufm_set_num_threads(value));
        }
    }

    private static int _initialized;

    /// <summary>Applies the toolkit's defaults once: intra-op threads = the machine's cores
    /// (libtorch's own default follows OpenMP, which may see fewer).</summary>
    public static void Initialize()
    {
        if (Interlocked.Exchange(ref _initialized, 1) == 0) NumThreads = Environment.ProcessorCount;
    }

    /// <summary>Seeds libtorch's CPU and CUDA generators.</summary>
    public static void ManualSeed(ulong seed) => TorchException.Check(Native.ufm_manual_seed(seed));

    public static bool CudaIsAvailable => Native.ufm_cuda_is_available() != 0;

    public static int CudaDeviceCount => Native.ufm_cuda_device_count();

    /// <summary>Waits for all work queued on a CUDA device (-1: the current device).</summary>
    public static void CudaSynchronize(int index = -1) => TorchException.Check(Native.ufm_cuda_synchronize(index));

    /// <summary>Waits until the work queued on <paramref name="device"/>'s current stream is done,
    /// unlike <see cref="CudaSynchronize"/> leaving copies on other streams running (no-op on the CPU).</summary>
    public static void SynchronizeStream(Device device) =>
        TorchException.Check(Native.ufm_stream_synchronize((int)device.Type, device.Index));

    /// <summary>Makes cuBLAS reduce bfloat16 GEMMs in float32 for the rest of the process (PyTorch
    /// 2.x otherwise allows bfloat16 reductions). False where this libtorch has no such switch
    /// (1.13: CPU builds never need it).</summary>
    public static bool DisallowReducedPrecisionBFloat16Reductions()
    {
        var status = Native.ufm_disallow_bf16_reduced_precision_reduction();
        if (status < 0) throw TorchException.FromLastError();
        return status == 1;
    }

    /// <summary>Free and total bytes of CUDA device <paramref name="index"/> as the CUDA runtime
    /// reports them (memory cached by libtorch's allocator counts as used), or null when libtorch has
    /// no CUDA runtime loaded (CPU-only builds).</summary>
    public static (long Free, long Total)? CudaMemoryInfo(int index = 0)
    {
        var status = Native.ufm_cuda_mem_info(index, out var free, out var total);
        if (status < 0) throw TorchException.FromLastError();
        return status == 1 ? (free, total) : null;
    }

    /// <summary>Whether libtorch brought oneDNN's sgemm along (Debian's libtorch does; PyTorch's wheels keep theirs private).</summary>
    public static bool OneDnnGemmAvailable => Native.ufm_onednn_gemm_available() != 0;

    /// <summary>
    /// Whether the ViT's float32 linear layers and attention products run on oneDNN's sgemm on the
    /// CPU (on by default where <see cref="OneDnnGemmAvailable"/>): its AVX-512 kernels reach about
    /// twice the rate of libtorch's BLAS where that BLAS has AVX2 kernels only. Off, they go through
    /// libtorch's own ops (at::linear, at::matmul). Both agree to float32 rounding. Process-wide.
    /// </summary>
    public static bool UseOneDnnGemm
    {
        get => OneDnnGemmAvailable && Native.ufm_get_onednn_gemm() != 0;
        set => Native.ufm_set_onednn_gemm(value ? 1 : 0);
    }

    /// <summary>Fails with a clear message when <paramref name="device"/> cannot be used here.</summary>
    public static void EnsureAvailable(Device device)
    {
        if (!device.IsCuda) return;
        if (!CudaIsAvailable)
            throw new TorchException($"device {device} requested but CUDA is not available (libtorch {Version}: build native/ against a CUDA libtorch, see README 'GPU')");
        if (device.Index >= CudaDeviceCount)
            throw new TorchException($"device {device} requested but only {CudaDeviceCount} CUDA device(s) exist");
        // float32 stays float32 (no TF32 convolutions), so CUDA results match the CPU's to float32 rounding.
        TorchException.Check(Native.ufm_disallow_tf32());
    }

    /// <summary>Whether autograd records operations on this thread (off by default).</summary>
    public static bool GradEnabled => Native.ufm_get_grad_enabled() != 0;

    /// <summary>Turns autograd on for this thread until the returned guard is disposed.
    /// Create and dispose it on the same thread.</summary>
    public static IDisposable EnableGrad() => new GradMode(true);

    private sealed class GradMode : IDisposable
    {
        private readonly bool _previous;

        public GradMode(bool enabled)
        {
            _previous = GradEnabled;
            Native.ufm_set_grad_enabled(enabled ? 1 : 0);
        }

        public void Dispose() => Native.ufm_set_grad_enabled(_previous ? 1 : 0);
    }
}

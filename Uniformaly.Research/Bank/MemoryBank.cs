using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Bank;

/// <summary>
/// The nominal patch features a test patch is compared with (docs/method.md section 6): [M, D] rows on the
/// compute device, stored as float32 (the exact reference) or float16/bfloat16, with their
/// squared norms |b|² [M] precomputed in float32 from the stored values.
/// </summary>
public sealed class MemoryBank : IDisposable
{
    private MemoryBank(Tensor features, Tensor squaredNorms)
    {
        Features = features;
        SquaredNorms = squaredNorms;
    }

    /// <summary>[M, D] in <see cref="StorageType"/> on <see cref="Device"/>.</summary>
    public Tensor Features { get; }

    /// <summary>[M] float32: |b|² of each stored row.</summary>
    public Tensor SquaredNorms { get; }

    /// <summary>M, the number of rows.</summary>
    public long Count => Features.Size(0);

    /// <summary>D, the feature width.</summary>
    public long Dim => Features.Size(1);

    public Device Device => Features.Device;

    public DType StorageType => Features.DType;

    /// <summary>Copies <paramref name="features"/> [M, D] (M ≥ 1, floating point) into a bank on
    /// <paramref name="device"/> stored as <paramref name="storage"/>.</summary>
    /// <exception cref="TorchException">The device is unusable or the bank does not fit (the message gives the size).</exception>
    public static MemoryBank FromFeatures(Tensor features, Device device, DType storage = DType.Float32)
    {
        if (features.Dim != 2 || features.Size(0) < 1 || !features.DType.IsFloatingPoint())
            throw new ArgumentException($"memory bank features must be a non-empty floating-point [M, D] matrix, got {features}", nameof(features));
        // The bank owns its tensors: no caller's dispose scope may free them.
        var stored = Allocate(features.Size(0), features.Size(1), storage, device).DetachFromDisposeScope();
        try
        {
            stored.CopyFrom(features);
            using var scope = new DisposeScope();
            var exact = stored.To(DType.Float32);
            return new MemoryBank(stored, (exact * exact).Sum(1).DetachFromDisposeScope());
        }
        catch
        {
            stored.Dispose();
            throw;
        }
    }

    /// <summary>An uninitialized [rows, dim] tensor for bank storage, failing with the size needed
    /// when it cannot be allocated.</summary>
    /// <exception cref="TorchException">The device is unusable or the memory is not there.</exception>
    public static Tensor Allocate(long rows, long dim, DType storage, Device device)
    {
        if (storage is not (DType.Float32 or DType.Float16 or DType.BFloat16))
            throw new ArgumentOutOfRangeException(nameof(storage), storage, "memory bank storage must be float32, float16 or bfloat16");
        TorchRuntime.EnsureAvailable(device);
        try
        {
            return Tensor.Empty([rows, dim], storage, device);
        }
        catch (TorchException e)
        {
            var bytes = (double)rows * dim * storage.ElementSize();
            throw new TorchException(
                $"memory bank of {rows} x {dim} {storage.ToString().ToLowerInvariant()} needs {bytes / (1 << 30):F2} GiB ({bytes:F0} bytes) on {device}, which could not be allocated: {e.Message}");
        }
    }

    public void Dispose()
    {
        Features.Dispose();
        SquaredNorms.Dispose();
    }
}

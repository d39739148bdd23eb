using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Bank;

/// <summary>
/// Collects the kept training patch features image by image (docs/method.md sections 5-6), then
/// subsamples them into a <see cref="MemoryBank"/>. Rows are held on the bank's device.
/// </summary>
public sealed class MemoryBankBuilder : IDisposable
{
    private readonly List<Tensor> _parts = [];

    /// <param name="dim">D, the width of every appended feature.</param>
    /// <param name="device">Where the rows are collected and the bank is built.</param>
    public MemoryBankBuilder(long dim, Device device)
    {
        Dim = dim > 0 ? dim : throw new ArgumentOutOfRangeException(nameof(dim), dim, "feature width must be at least 1");
        TorchRuntime.EnsureAvailable(device);
        Device = device;
    }

    public long Dim { get; }

    public Device Device { get; }

    /// <summary>Rows appended so far.</summary>
    public long Count { get; private set; }

    /// <summary>Appends the kept rows of one image's patch features.</summary>
    /// <param name="patchFeatures">[N, D] floating point.</param>
    /// <param name="keep">null (keep all), a [N] bool mask (BPM's M = 1), or [K] int64 row indices.</param>
    public void Append(Tensor patchFeatures, Tensor? keep = null)
    {
        if (patchFeatures.Dim != 2 || patchFeatures.Size(1) != Dim || !patchFeatures.DType.IsFloatingPoint())
            throw new ArgumentException($"patch features must be floating-point [N, {Dim}], got {patchFeatures}", nameof(patchFeatures));
        using var scope = new DisposeScope();
        var rows = patchFeatures.To(Device, DType.Float32);
        // Both branches copy, so later changes to the caller's tensor cannot reach the bank.
        rows = keep is null ? rows.Clone() : rows.IndexSelect(0, KeptRows(keep, patchFeatures.Size(0)));
        if (rows.Size(0) == 0) return;
        _parts.Add(scope.MoveToOuter(rows).DetachFromDisposeScope());
        Count += rows.Size(0);
    }

    /// <summary>Concatenates the rows, lets <paramref name="sampler"/> choose, and returns the
    /// bank of the chosen rows. The builder stays usable.</summary>
    /// <exception cref="InvalidOperationException">No row was appended, or the sampler kept none.</exception>
    public MemoryBank Build(IFeatureSampler sampler, DType storage = DType.Float32)
    {
        if (Count == 0) throw new InvalidOperationException("the memory bank is empty: no patch feature was kept");
        using var scope = new DisposeScope();
        var all = MemoryBank.Allocate(Count, Dim, DType.Float32, Device);
        long offset = 0;
        foreach (var part in _parts)
        {
            all.Narrow(0, offset, part.Size(0)).CopyFrom(part);
            offset += part.Size(0);
        }
        var chosen = sampler.Select(all);
        if (chosen.Size(0) == 0)
            throw new InvalidOperationException($"the sampler kept none of the {Count} rows (its ratio is below 1/{Count})");
        return MemoryBank.FromFeatures(all.IndexSelect(0, chosen), Device, storage);
    }

    private Tensor KeptRows(Tensor keep, long patches)
    {
        var indices = keep.DType switch
        {
            DType.Bool when keep.Dim == 1 && keep.Size(0) == patches => keep.NonZero().Squeeze(1),
            DType.Int64 when keep.Dim == 1 => keep,
            _ => throw new ArgumentException($"keep must be a [{patches}] bool mask or [K] int64 indices, got {keep}", nameof(keep)),
        };
        return indices.To(Device);
    }

    public void Dispose()
    {
        foreach (var part in _parts) part.Dispose();
        _parts.Clear();
        Count = 0;
    }
}

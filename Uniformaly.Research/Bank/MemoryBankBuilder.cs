using Uniformaly.Research.Common;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Bank;

/// <summary>
/// Builds the <see cref="MemoryBank"/> from the kept training patch features image by image (docs/method.md
/// sections 5-6), streaming: each appended row goes to the sampler's session (the coreset keeps
/// only its 128-d projection) and to a host <see cref="RowStore"/> that holds up to
/// <see cref="MemoryBytes"/> of rows in memory and writes the rest to a temporary file; building
/// reads back only the chosen rows. Peak memory is therefore bounded by that budget plus the
/// sampler's state and the bank, not by the number of training rows (docs/benchmarks.md states the
/// bound and measures it at multi-class scale). The bank equals the one
/// <c>features.IndexSelect(0, sampler.Select(features))</c> gives for all rows at once.
/// </summary>
public sealed class MemoryBankBuilder : IDisposable
{
    /// <summary>Rows kept in memory by default: 1 GiB (a one-class MVTec category of ViT-B/8
    /// features without BPM is at most ~0.9 GiB).</summary>
    public const long DefaultMemoryBytes = 1L << 30;

    // The store's blocks (whole blocks stay in memory or go to the file): a sixteenth of the budget,
    // at most 32 MiB.
    private const long MaxBlockBytes = 32L << 20;

    private readonly ISamplingSession _session;
    private readonly RowStore _rows;
    private bool _built;

    /// <param name="dim">D, the width of every appended feature.</param>
    /// <param name="device">Where the bank is built and the sampler runs.</param>
    /// <param name="sampler">Chooses the bank's rows.</param>
    /// <param name="memoryBytes">Bytes of training rows held in memory before the rest goes to a
    /// temporary file (null: <see cref="DefaultMemoryBytes"/>).</param>
    /// <param name="spillFolder">Folder of that file (null: the system temporary folder, TMPDIR).</param>
    public MemoryBankBuilder(long dim, Device device, IFeatureSampler sampler, long? memoryBytes = null, string? spillFolder = null)
    {
        Dim = dim > 0 ? dim : throw new ArgumentOutOfRangeException(nameof(dim), dim, "feature width must be at least 1");
        ArgumentNullException.ThrowIfNull(sampler);
        TorchRuntime.EnsureAvailable(device);
        Device = device;
        MemoryBytes = memoryBytes ?? DefaultMemoryBytes;
        if (MemoryBytes < 0) throw new ArgumentOutOfRangeException(nameof(memoryBytes), memoryBytes, "must not be negative");
        var rowsPerBlock = Math.Max(1, Math.Min(MaxBlockBytes, MemoryBytes / 16) / (dim * sizeof(float)));
        _rows = new RowStore(dim, Device.Cpu, rowsPerBlock, MemoryBytes, spillFolder);
        _session = sampler.Begin(dim, device);
    }

    public long Dim { get; }

    public Device Device { get; }

    /// <summary>Bytes of training rows held in memory at most (more go to the temporary file).</summary>
    public long MemoryBytes { get; }

    /// <summary>Rows appended so far.</summary>
    public long Count => _rows.Count;

    /// <summary>Rows written to the temporary file so far.</summary>
    public long SpilledRows => _rows.SpilledRows;

    /// <summary>Appends the kept rows of one image's patch features.</summary>
    /// <param name="patchFeatures">[N, D] floating point.</param>
    /// <param name="keep">null (keep all), a [N] bool mask (BPM's M = 1), or [K] int64 row indices.</param>
    public void Append(Tensor patchFeatures, Tensor? keep = null)
    {
        if (patchFeatures.Dim != 2 || patchFeatures.Size(1) != Dim || !patchFeatures.DType.IsFloatingPoint())
            throw new ArgumentException($"patch features must be floating-point [N, {Dim}], got {patchFeatures}", nameof(patchFeatures));
        if (_built) throw new InvalidOperationException("the memory bank was already built");
        using var scope = new DisposeScope();
        var rows = patchFeatures.To(Device, DType.Float32);
        if (keep is not null) rows = rows.IndexSelect(0, KeptRows(keep, patchFeatures.Size(0)));
        if (rows.Size(0) == 0) return;
        _session.Add(rows);
        _rows.Append(rows); // a copy, so later changes to the caller's tensor cannot reach the bank
    }

    /// <summary>Lets the sampler choose and returns the bank of the chosen rows, in selection order.
    /// A builder builds once.</summary>
    /// <exception cref="InvalidOperationException">No row was appended, the sampler kept none, or
    /// the bank was already built.</exception>
    public MemoryBank Build(DType storage = DType.Float32, IProgressSink? progress = null)
    {
        if (_built) throw new InvalidOperationException("the memory bank was already built");
        if (Count == 0) throw new InvalidOperationException("the memory bank is empty: no patch feature was kept");
        _built = true;
        using var scope = new DisposeScope();
        var chosen = _session.Select(progress);
        _session.Dispose();
        if (chosen.Size(0) == 0)
            throw new InvalidOperationException($"the sampler kept none of the {Count} rows (its ratio is below 1/{Count})");
        return MemoryBank.FromFeatures(_rows.Gather(chosen), Device, storage);
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
        _session.Dispose();
        _rows.Dispose();
    }
}

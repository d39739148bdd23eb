using Microsoft.Win32.SafeHandles;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Common;

/// <summary>
/// Float32 rows of one width, appended batch by batch into blocks of a fixed number of rows. Blocks
/// stay in memory on the store's device until <see cref="MemoryBytes"/> of them are held; every later
/// block goes to an anonymous temporary file (CPU stores only), so the memory a store holds is
/// bounded whatever the number of rows. <see cref="Gather"/> reads chosen rows back,
/// <see cref="Drain"/> hands every block over in order.
/// </summary>
/// <remarks>The file is created in <see cref="SpillFolder"/> (the system temporary folder, which
/// TMPDIR moves, unless told otherwise) and unlinked at once on Linux and macOS, so it disappears
/// with the process even when that is killed; elsewhere it is deleted on dispose.</remarks>
public sealed class RowStore : IDisposable
{
    private readonly List<Block> _blocks = [];
    private Tensor? _filling;
    private long _filled;
    private FileStream? _file;

    /// <param name="dim">Row width.</param>
    /// <param name="device">Where the blocks in memory live.</param>
    /// <param name="rowsPerBlock">Rows per block (the unit that stays in memory or goes to the file).</param>
    /// <param name="memoryBytes">Bytes of full blocks kept in memory before blocks go to the file
    /// (unbounded by default); the block being filled comes on top.</param>
    /// <param name="spillFolder">Folder of the temporary file (default: the system temporary folder).</param>
    public RowStore(long dim, Device device, long rowsPerBlock, long memoryBytes = long.MaxValue, string? spillFolder = null)
    {
        Dim = dim > 0 ? dim : throw new ArgumentOutOfRangeException(nameof(dim), dim, "row width must be at least 1");
        RowsPerBlock = rowsPerBlock > 0 ? rowsPerBlock : throw new ArgumentOutOfRangeException(nameof(rowsPerBlock), rowsPerBlock, "must be at least 1");
        MemoryBytes = memoryBytes >= 0 ? memoryBytes : throw new ArgumentOutOfRangeException(nameof(memoryBytes), memoryBytes, "must not be negative");
        if (memoryBytes != long.MaxValue && device != Device.Cpu)
            throw new ArgumentException("only a CPU row store can spill to a file", nameof(memoryBytes));
        Device = device;
        SpillFolder = spillFolder ?? Path.GetTempPath();
    }

    public long Dim { get; }

    public Device Device { get; }

    public long RowsPerBlock { get; }

    /// <summary>Bytes of full blocks held in memory at most.</summary>
    public long MemoryBytes { get; }

    public string SpillFolder { get; }

    /// <summary>Rows appended so far.</summary>
    public long Count { get; private set; }

    /// <summary>Rows written to the temporary file so far.</summary>
    public long SpilledRows => _blocks.Count(b => b.Rows is null) * RowsPerBlock;

    /// <summary>Bytes of rows held in memory: at most <see cref="MemoryBytes"/> plus the block being filled.</summary>
    public long HeldBytes => (_blocks.Count(b => b.Rows is not null) + (_filling is null ? 0 : 1)) * BlockBytes;

    private long BlockBytes => RowsPerBlock * Dim * sizeof(float);

    /// <summary>Appends rows [N, Dim] (any floating dtype and device; copied).</summary>
    public void Append(Tensor rows)
    {
        if (rows.Dim != 2 || rows.Size(1) != Dim)
            throw new ArgumentException($"rows must be [N, {Dim}], got {rows}", nameof(rows));
        for (long done = 0; done < rows.Size(0);)
        {
            _filling ??= Tensor.Empty([RowsPerBlock, Dim], DType.Float32, Device).DetachFromDisposeScope();
            var take = Math.Min(RowsPerBlock - _filled, rows.Size(0) - done);
            using (new DisposeScope())
                _filling.Narrow(0, _filled, take).CopyFrom(rows.Narrow(0, done, take));
            (_filled, done, Count) = (_filled + take, done + take, Count + take);
            if (_filled == RowsPerBlock) Seal();
        }
    }

    /// <summary>The rows at <paramref name="indices"/> [K] (int64, any device), in that order:
    /// [K, Dim] float32 on the CPU. CPU stores only.</summary>
    public Tensor Gather(Tensor indices)
    {
        if (Device != Device.Cpu) throw new InvalidOperationException("only a CPU row store gathers rows");
        var wanted = indices.To(Device.Cpu).ToArray<long>();
        if (wanted.Any(i => i < 0 || i >= Count))
            throw new ArgumentOutOfRangeException(nameof(indices), $"row indices must lie in [0, {Count})");
        var result = Tensor.Empty([wanted.Length, Dim]);
        try
        {
            // In row order, so the file is read front to back.
            var rowBytes = (int)(Dim * sizeof(float));
            foreach (var p in Enumerable.Range(0, wanted.Length).OrderBy(p => wanted[p]))
            {
                var (index, offset) = (wanted[p] / RowsPerBlock, wanted[p] % RowsPerBlock * rowBytes);
                var target = result.RawBytes((long)p * rowBytes, rowBytes);
                var rows = index < _blocks.Count ? _blocks[(int)index].Rows : _filling;
                if (rows is not null) rows.RawBytes(offset, rowBytes).CopyTo(target);
                else ReadExactly(target, _blocks[(int)index].FileOffset + offset);
            }
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    /// <summary>Every row in order, as (first row, rows [n, Dim]) blocks of <see cref="RowsPerBlock"/>
    /// rows (the last one shorter); each block is freed when the next is asked for, so draining holds
    /// one block at a time. The store is empty afterwards.</summary>
    public IEnumerable<(long FirstRow, Tensor Rows)> Drain()
    {
        var count = Count;
        for (var i = 0; i * RowsPerBlock < count; i++)
        {
            var rows = Math.Min(RowsPerBlock, count - i * RowsPerBlock);
            using var block = i < _blocks.Count ? TakeBlock(i) : TakeFilling();
            using var part = block.Narrow(0, 0, rows);
            yield return (i * RowsPerBlock, part);
        }
        Dispose();
    }

    public void Dispose()
    {
        foreach (var block in _blocks) block.Rows?.Dispose();
        _blocks.Clear();
        _filling?.Dispose();
        (_filling, _filled, Count) = (null, 0, 0);
        _file?.Dispose();
        _file = null;
    }

    /// <summary>A full block stays in memory while the budget allows, else goes to the file.</summary>
    private void Seal()
    {
        var held = _blocks.Count(b => b.Rows is not null) * BlockBytes;
        if (held + BlockBytes <= MemoryBytes)
        {
            _blocks.Add(new Block(_filling!, -1));
        }
        else
        {
            var file = _file ??= OpenSpill();
            var offset = file.Length;
            try
            {
                _filling!.WriteTo(file);
            }
            catch (IOException e)
            {
                var gib = BlockBytes * (_blocks.Count + 1) / (double)(1L << 30);
                throw new IOException(
                    $"could not write the training features to a temporary file in {SpillFolder} ({e.Message}); about {gib:F1} GiB are needed there: point TMPDIR at a folder with room",
                    e);
            }
            _filling!.Dispose();
            _blocks.Add(new Block(null, offset));
        }
        (_filling, _filled) = (null, 0);
    }

    private FileStream OpenSpill()
    {
        try
        {
            Directory.CreateDirectory(SpillFolder);
            var path = Path.Combine(SpillFolder, $"uniformaly-rows-{Environment.ProcessId}-{Guid.NewGuid():N}.f32");
            var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0, FileOptions.DeleteOnClose);
            if (!OperatingSystem.IsWindows()) File.Delete(path); // the open handle keeps the data; nothing is left behind
            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"could not create a temporary file for the training features in {SpillFolder} ({e.Message}): point TMPDIR at a writable folder", e);
        }
    }

    private void ReadExactly(Span<byte> target, long offset)
    {
        var handle = _file!.SafeFileHandle;
        for (var done = 0; done < target.Length;)
        {
            var read = RandomAccess.Read(handle, target[done..], offset + done);
            if (read == 0) throw new EndOfStreamException($"the temporary feature file in {SpillFolder} ended early");
            done += read;
        }
    }

    private Tensor TakeBlock(int i)
    {
        var block = _blocks[i];
        _blocks[i] = new Block(null, block.FileOffset);
        if (block.Rows is not null) return block.Rows;
        return Tensor.ReadFrom(_file!.SafeFileHandle, block.FileOffset, DType.Float32, [RowsPerBlock, Dim]);
    }

    private Tensor TakeFilling()
    {
        var filling = _filling!;
        _filling = null;
        return filling;
    }

    /// <summary>A full block: its rows in memory, or (Rows null) its byte offset in the file.</summary>
    private readonly record struct Block(Tensor? Rows, long FileOffset);
}

using System.Text;
using Microsoft.Win32.SafeHandles;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Checkpoints;

/// <summary>torch.save's zip format (PyTorch ≥ 1.6): <c>&lt;name&gt;/data.pkl</c> holds the pickled
/// object, <c>&lt;name&gt;/data/&lt;key&gt;</c> each storage's raw little-endian bytes.</summary>
internal sealed class TorchZipArchive : TorchArchive
{
    private readonly Dictionary<string, ZipEntry> _entries;
    private readonly string _prefix;

    private TorchZipArchive(SafeFileHandle file, string path) : base(file, path)
    {
        _entries = ZipDirectory.Read(file, path);
        var pickles = _entries.Keys.Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.Count(c => c == '/') == 1).ToList();
        if (pickles.Count != 1)
            throw new CheckpointException(path, $"is a zip archive but not a torch.save file: expected one '<name>/data.pkl' member, found {pickles.Count}");
        _prefix = pickles[0][..^"data.pkl".Length];
        CheckByteOrder();
        using var pickle = ZipDirectory.Open(file, _entries[pickles[0]]);
        Root = PickleMachine.Load(pickle, path, PersistentLoad);
    }

    public static TorchZipArchive Open(SafeFileHandle file, string path) => new(file, path);

    public override Tensor LoadStorage(StorageRef storage)
    {
        var nbytes = storage.NumEl * storage.DType.ElementSize();
        if (!_entries.TryGetValue($"{_prefix}data/{storage.Key}", out var entry))
            throw new CheckpointException(Path, $"lacks the member '{_prefix}data/{storage.Key}' of storage '{storage.Key}'");
        if (entry.Size != nbytes)
            throw new CheckpointException(Path, $"storage '{storage.Key}' holds {entry.Size} bytes, but {storage.NumEl} {storage.DType} elements need {nbytes}");
        if (!entry.Deflated) return Tensor.ReadFrom(FileHandle, entry.DataOffset, storage.DType, [storage.NumEl]);
        using var stream = ZipDirectory.Open(FileHandle, entry);
        return Tensor.ReadFrom(stream, storage.DType, [storage.NumEl]);
    }

    /// <summary>PyTorch ≥ 2.1 records the writer's byte order; only little-endian data is read.</summary>
    private void CheckByteOrder()
    {
        if (!_entries.TryGetValue(_prefix + "byteorder", out var entry)) return;
        using var stream = ZipDirectory.Open(FileHandle, entry);
        var order = new StreamReader(stream, Encoding.ASCII).ReadToEnd().Trim();
        if (order != "little")
            throw new CheckpointException(Path, $"was written on a '{order}'-endian machine; only little-endian checkpoints are supported");
    }
}

using System.Buffers.Binary;
using System.Numerics;
using Microsoft.Win32.SafeHandles;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Checkpoints;

/// <summary>torch.save's legacy format (<c>_use_new_zipfile_serialization=False</c>, PyTorch &lt; 1.6):
/// five pickles in a row (magic number, protocol version, sys_info, the object, the storage keys),
/// then each storage as an int64 element count followed by its raw little-endian bytes.</summary>
internal sealed class TorchLegacyArchive : TorchArchive
{
    private static readonly BigInteger MagicNumber = BigInteger.Parse("119547037146038801333356");
    private const long ProtocolVersion = 1001;

    private readonly Dictionary<string, long> _offsets = new(StringComparer.Ordinal);

    private TorchLegacyArchive(SafeFileHandle file, string path) : base(file, path)
    {
        using var stream = new FileStream(new SafeFileHandle(file.DangerousGetHandle(), ownsHandle: false), FileAccess.Read, 1 << 16);
        CheckHeader(stream);
        Root = PickleMachine.Load(stream, path, PersistentLoad);
        var keys = PickleMachine.Load(stream, path, NoPersistentIds) as List<object?>
            ?? throw new CheckpointException(path, "has a malformed legacy layout: the storage key list is missing");
        LocateStorages(keys, stream.Position, RandomAccess.GetLength(file));
    }

    public static TorchLegacyArchive Open(SafeFileHandle file, string path) => new(file, path);

    public override Tensor LoadStorage(StorageRef storage) =>
        Tensor.ReadFrom(FileHandle, _offsets[storage.Key], storage.DType, [storage.NumEl]);

    private void CheckHeader(Stream stream)
    {
        if (PickleMachine.Load(stream, Path, NoPersistentIds) is not BigInteger magic || magic != MagicNumber)
            throw new CheckpointException(Path, "is a pickle but not a torch.save file (no legacy magic number)");
        if (PickleMachine.Load(stream, Path, NoPersistentIds) is not ProtocolVersion)
            throw new CheckpointException(Path, "uses an unknown legacy torch.save protocol version");
        if (PickleMachine.Load(stream, Path, NoPersistentIds) is PyDict sysInfo && sysInfo.TryGetValue("little_endian", out var little) && little is false)
            throw new CheckpointException(Path, "was written on a big-endian machine; only little-endian checkpoints are supported");
    }

    /// <summary>Walks the storage section, recording where each storage's bytes begin and
    /// checking its element count against the one the pickle declared.</summary>
    private void LocateStorages(List<object?> keys, long position, long fileLength)
    {
        Span<byte> count = stackalloc byte[8];
        foreach (var item in keys)
        {
            if (item is not string key || !Storages.TryGetValue(key, out var storage))
                throw new CheckpointException(Path, $"has a malformed legacy layout: storage key '{item}' was never referenced");
            if (RandomAccess.Read(FileHandle, count, position) != 8)
                throw new CheckpointException(Path, $"is truncated: storage '{key}' starts past the end of the file ({fileLength} bytes)");
            var numel = BinaryPrimitives.ReadInt64LittleEndian(count);
            if (numel != storage.NumEl)
                throw new CheckpointException(Path, $"storage '{key}' holds {numel} elements but the pickle declared {storage.NumEl}");
            _offsets[key] = position + 8;
            position += 8 + numel * storage.DType.ElementSize();
            if (position > fileLength)
                throw new CheckpointException(Path, $"is truncated: storage '{key}' needs bytes up to {position}, file has {fileLength}");
        }
    }

    private object NoPersistentIds(object? id) =>
        throw new CheckpointException(Path, "has a malformed legacy layout: a persistent id outside the main pickle");
}

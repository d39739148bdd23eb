using Microsoft.Win32.SafeHandles;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Checkpoints;

/// <summary>A torch.save file after unpickling: the inert object tree and the means to load, on
/// demand, the storages its tensors reference (so only the tensors used are ever read).</summary>
internal abstract class TorchArchive
{
    private readonly Dictionary<string, StorageRef> _storages = new(StringComparer.Ordinal);

    protected TorchArchive(SafeFileHandle file, string path)
    {
        FileHandle = file;
        Path = path;
    }

    protected SafeFileHandle FileHandle { get; }

    public string Path { get; }

    /// <summary>The unpickled top-level object.</summary>
    public object? Root { get; protected set; }

    /// <summary>A new 1-D CPU tensor of the storage's <see cref="StorageRef.NumEl"/> elements,
    /// read straight from the file into native memory.</summary>
    public abstract Tensor LoadStorage(StorageRef storage);

    /// <summary>The persistent-id hook of the pickle: ('storage', torch.XStorage, key, location,
    /// numel[, view metadata]) becomes one shared <see cref="StorageRef"/> per key.</summary>
    protected object PersistentLoad(object? id)
    {
        if (id is not PyTuple { Items: ["storage", PyGlobal type, string key, string, long numel, ..] items } || items.Length > 6)
            throw new CheckpointException(Path, $"has a malformed pickle: persistent id {id} is not a torch storage reference");
        if (items.Length == 6 && items[5] is not null)
            throw new CheckpointException(Path, $"uses a storage view (storage '{key}'), a pre-1.0 torch feature that is not supported");
        var dtype = PickleGlobals.StorageDType(type)
            ?? throw new CheckpointException(Path, $"has a malformed pickle: {type.FullName} is not a storage type");
        var storage = new StorageRef(key, dtype, numel);
        if (_storages.TryGetValue(key, out var known))
            return known == storage ? known : throw new CheckpointException(Path, $"describes storage '{key}' twice, differently");
        _storages[key] = storage;
        return storage;
    }

    /// <summary>Every storage the pickle referenced, by key.</summary>
    protected IReadOnlyDictionary<string, StorageRef> Storages => _storages;
}

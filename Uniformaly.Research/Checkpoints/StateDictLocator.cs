using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Checkpoints;

/// <summary>Finds the tensors of a model in an unpickled checkpoint (at the top level, or under
/// <c>state_dict</c>, <c>model</c> or <c>teacher</c>, at any depth), renames them with
/// <see cref="StateDictKeys"/> and materializes them as views of their loaded storages.</summary>
internal static class StateDictLocator
{
    /// <summary>Container keys searched, in order, when a dict is not itself a state dict.</summary>
    private static readonly string[] ContainerKeys = ["state_dict", "model", "teacher"];

    public static StateDict Extract(TorchArchive archive)
    {
        var named = Rename(Find(archive.Root, archive.Path), archive.Path);
        var storages = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var result = new StateDict(archive.Path);
        try
        {
            foreach (var (name, tensor) in named)
                result.Add(name, Materialize(tensor, storages, archive));
            return result;
        }
        catch (Exception e)
        {
            result.Dispose();
            if (e is EndOfStreamException) throw new CheckpointException(archive.Path, $"is truncated: {e.Message}", e);
            throw;
        }
        finally
        {
            // The views keep the storage memory alive; these handles are no longer needed.
            foreach (var storage in storages.Values) storage.Dispose();
        }
    }

    /// <summary>Renames a flat tensor collection (safetensors) the same way, taking its tensors over.</summary>
    public static StateDict Normalize(StateDict raw)
    {
        var result = new StateDict(raw.Source, raw.Metadata);
        foreach (var (name, rawKey) in RenameKeys(raw.Keys, raw.Source))
            result.Add(name, raw[rawKey].Alias());
        return result;
    }

    private static PyDict Find(object? root, string path)
    {
        var current = root as PyDict
            ?? throw new CheckpointException(path, $"holds a {Describe(root)}, not a dict of tensors (a whole pickled model is not supported; save its state_dict())");
        while (!IsStateDict(current))
        {
            var inner = ContainerKeys.Select(k => current.GetValueOrDefault(k) as PyDict).FirstOrDefault(d => d is not null);
            current = inner ?? throw new CheckpointException(path,
                $"has no state dict: found keys [{string.Join(", ", current.Keys.Take(20))}] with non-tensor values, and none of {string.Join(", ", ContainerKeys)} holds a dict");
        }
        return current;
    }

    private static bool IsStateDict(PyDict dict) =>
        dict.Count > 0 && dict.All(kv => kv is { Key: string, Value: TensorRef });

    private static List<(string Name, TensorRef Tensor)> Rename(PyDict dict, string path)
    {
        var tensors = dict.ToDictionary(kv => (string)kv.Key, kv => (TensorRef)kv.Value!);
        return RenameKeys(tensors.Keys, path).Select(r => (r.Name, tensors[r.RawKey])).ToList();
    }

    /// <summary>Kept keys in file order with their new names; two keys becoming one name is an error.</summary>
    private static List<(string Name, string RawKey)> RenameKeys(IEnumerable<string> keys, string path)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var result = new List<(string, string)>();
        foreach (var key in keys)
        {
            if (StateDictKeys.Normalize(key) is not { } name) continue;
            if (seen.TryGetValue(name, out var other))
                throw new CheckpointException(path, $"keys '{other}' and '{key}' both become '{name}' once prefixes are stripped");
            seen[name] = key;
            result.Add((name, key));
        }
        return result;
    }

    private static Tensor Materialize(TensorRef t, Dictionary<string, Tensor> storages, TorchArchive archive)
    {
        CheckBounds(t, archive.Path);
        if (!storages.TryGetValue(t.Storage.Key, out var storage))
            storages[t.Storage.Key] = storage = archive.LoadStorage(t.Storage);
        return storage.AsStrided(t.Shape, t.Strides, t.StorageOffset);
    }

    /// <summary>Every element the strided view reaches must lie inside its storage.</summary>
    private static void CheckBounds(TensorRef t, string path)
    {
        if (t.StorageOffset < 0 || t.Shape.Any(s => s < 0) || t.Strides.Any(s => s < 0))
            throw new CheckpointException(path, $"has a tensor with a negative size, stride or offset on storage '{t.Storage.Key}'");
        if (t.Shape.Any(s => s == 0)) return;
        var last = t.StorageOffset + t.Shape.Zip(t.Strides, (size, stride) => (size - 1) * stride).Sum();
        if (last >= t.Storage.NumEl)
            throw new CheckpointException(path, $"has a tensor of shape [{string.Join(", ", t.Shape)}] reaching element {last} of storage '{t.Storage.Key}', which holds {t.Storage.NumEl}");
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        TensorRef => "single tensor",
        PyRecord r => r.Class.FullName,
        _ => value.GetType().Name,
    };
}

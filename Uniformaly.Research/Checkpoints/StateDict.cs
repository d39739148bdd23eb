using System.Collections;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Checkpoints;

/// <summary>Named tensors read from one checkpoint, in file order, with the dtype they were
/// stored in. Owns its tensors: disposing the dictionary frees them all.</summary>
public sealed class StateDict : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly OrderedDictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    public StateDict(string source, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Source = source;
        Metadata = metadata ?? new Dictionary<string, string>();
    }

    /// <summary>The file the tensors came from (named in every error).</summary>
    public string Source { get; }

    /// <summary>Free-form string metadata (safetensors' <c>__metadata__</c>; empty otherwise).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Adds a tensor; the dictionary takes ownership (out of any dispose scope).</summary>
    public void Add(string name, Tensor tensor)
    {
        if (!_tensors.TryAdd(name, tensor))
            throw new CheckpointException(Source, $"two tensors are named '{name}'");
        tensor.DetachFromDisposeScope();
    }

    /// <summary>A new float32 CPU copy of the named tensor (any stored dtype), for model weights.</summary>
    /// <remarks>Contiguous even when the stored tensor was a strided view of a shared storage.</remarks>
    public Tensor ToFloat32(string name)
    {
        using var scope = new DisposeScope();
        return scope.MoveToOuter(this[name].To(Device.Cpu, DType.Float32).Contiguous());
    }

    /// <summary>A new state dict holding a float32 CPU copy of every tensor (same names and order).</summary>
    public StateDict ToFloat32()
    {
        var result = new StateDict(Source, Metadata);
        foreach (var name in Keys) result.Add(name, ToFloat32(name));
        return result;
    }

    /// <summary>Checks the tensors against the names and shapes a model expects. Throws one
    /// <see cref="CheckpointException"/> listing every missing key, every unexpected key and
    /// every shape mismatch, so a checkpoint never silently leaves weights at random.</summary>
    public void MatchStrict(IReadOnlyDictionary<string, long[]> expected) =>
        StrictMatch.Check(this, expected);

    public Tensor this[string key] => _tensors.TryGetValue(key, out var tensor)
        ? tensor
        : throw new KeyNotFoundException($"checkpoint '{Source}' has no tensor '{key}'");

    public IEnumerable<string> Keys => _tensors.Keys;
    public IEnumerable<Tensor> Values => _tensors.Values;
    public int Count => _tensors.Count;
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Tensor value) =>
        _tensors.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => _tensors.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        foreach (var tensor in _tensors.Values) tensor.Dispose();
        _tensors.Clear();
    }
}

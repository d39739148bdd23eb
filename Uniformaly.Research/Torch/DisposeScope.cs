namespace Uniformaly.Research.Torch;

/// <summary>
/// Frees every tensor created on this thread while the scope is the innermost one, when the
/// scope is disposed; results that must outlive it are moved out with
/// <see cref="MoveToOuter(Tensor)"/>. Scopes nest and must be disposed innermost first.
/// </summary>
/// <example><code>
/// using var scope = new DisposeScope();
/// var y = scope.MoveToOuter(x.MatMul(w) + b); // the product is freed, the sum survives
/// </code></example>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? _current;

    private readonly DisposeScope? _outer;
    private readonly HashSet<Tensor> _owned = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    public DisposeScope()
    {
        _outer = _current;
        _current = this;
    }

    /// <summary>The innermost open scope of this thread, or null.</summary>
    public static DisposeScope? Current => _current;

    /// <summary>How many tensors the scope would free now.</summary>
    public int Count => _owned.Count;

    internal void Attach(Tensor tensor)
    {
        _owned.Add(tensor);
        tensor.Scope = this;
    }

    internal void Forget(Tensor tensor)
    {
        _owned.Remove(tensor);
        tensor.Scope = null;
    }

    /// <summary>Hands the tensor to the enclosing scope (or to nobody, at the outermost level).</summary>
    public Tensor MoveToOuter(Tensor tensor)
    {
        if (tensor.Scope == this)
        {
            Forget(tensor);
            _outer?.Attach(tensor);
        }
        return tensor;
    }

    /// <summary>Moves several results out at once.</summary>
    public (Tensor, Tensor) MoveToOuter((Tensor A, Tensor B) pair) => (MoveToOuter(pair.A), MoveToOuter(pair.B));

    public void Dispose()
    {
        if (_disposed) return;
        if (_current != this)
            throw new InvalidOperationException("dispose scopes must be disposed innermost first");
        _disposed = true;
        _current = _outer;
        foreach (var tensor in _owned.ToArray()) tensor.Dispose();
        _owned.Clear();
    }
}

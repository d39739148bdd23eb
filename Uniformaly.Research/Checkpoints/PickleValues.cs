using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Checkpoints;

// The inert values the pickle interpreter builds. Python ints are longs, floats doubles,
// str strings, bytes byte[], None null, lists List<object?>; the types below cover the rest.
// Nothing here can run code: a global is only ever a name checked against the allow-list.

/// <summary>A Python tuple.</summary>
internal sealed record PyTuple(object?[] Items)
{
    public override string ToString() => $"({string.Join(", ", Items)})";
}

/// <summary>A Python dict or collections.OrderedDict, in insertion order.</summary>
internal sealed class PyDict : OrderedDictionary<object, object?>
{
}

/// <summary>An allowed global (module.name), usable only as a callable or a type marker.</summary>
internal sealed record PyGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
}

/// <summary>An instance of an allowed plain record class (argparse.Namespace): its attributes.</summary>
internal sealed record PyRecord(PyGlobal Class, PyDict Attributes);

/// <summary>A serialized torch storage: a flat run of <see cref="NumEl"/> elements of
/// <see cref="DType"/> that one or more tensors view. <see cref="Key"/> names it in the file.</summary>
internal sealed record StorageRef(string Key, DType DType, long NumEl);

/// <summary>A tensor as torch._utils._rebuild_tensor_v2 describes it: a strided view of a storage.
/// Offsets and strides are in elements.</summary>
internal sealed record TensorRef(StorageRef Storage, long StorageOffset, long[] Shape, long[] Strides, bool RequiresGrad);

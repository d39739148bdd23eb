using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Checkpoints;

/// <summary>The allow-list of globals a checkpoint pickle may name, and what calling each one
/// means. Everything is interpreted here in managed code; no Python callable is ever run, and
/// any other global (os.system, builtins.eval, a model class...) stops the load.</summary>
internal static class PickleGlobals
{
    private const string RebuildTensorV2 = "torch._utils._rebuild_tensor_v2";
    private const string RebuildTensor = "torch._utils._rebuild_tensor";
    private const string RebuildParameter = "torch._utils._rebuild_parameter";
    private const string RebuildParameterWithState = "torch._utils._rebuild_parameter_with_state";
    private const string OrderedDict = "collections.OrderedDict";
    private const string Namespace = "argparse.Namespace";

    private static readonly HashSet<string> Callables =
        [RebuildTensorV2, RebuildTensor, RebuildParameter, RebuildParameterWithState, OrderedDict, Namespace];

    /// <summary>torch's typed storage classes (names in module torch) and their element types.</summary>
    private static readonly Dictionary<string, DType> StorageTypes = new()
    {
        ["FloatStorage"] = DType.Float32, ["HalfStorage"] = DType.Float16, ["BFloat16Storage"] = DType.BFloat16,
        ["DoubleStorage"] = DType.Float64, ["LongStorage"] = DType.Int64, ["IntStorage"] = DType.Int32,
        ["ShortStorage"] = DType.Int16, ["CharStorage"] = DType.Int8, ["ByteStorage"] = DType.UInt8,
        ["BoolStorage"] = DType.Bool,
    };

    /// <summary>The global <paramref name="module"/>.<paramref name="name"/> if allowed.</summary>
    /// <exception cref="CheckpointException">any global off the allow-list, named.</exception>
    public static PyGlobal Resolve(string module, string name, string path)
    {
        var global = new PyGlobal(module, name);
        if (Callables.Contains(global.FullName) || StorageDType(global) is not null) return global;
        throw new CheckpointException(path,
            $"refuses the pickled global '{global.FullName}': loading it could run arbitrary code, and only tensors, " +
            "plain containers and argparse.Namespace records are allowed (re-save the weights as a plain state dict or safetensors)");
    }

    /// <summary>The element type of a torch storage class, or null if <paramref name="global"/> is none.</summary>
    public static DType? StorageDType(PyGlobal global) =>
        global.Module == "torch" && StorageTypes.TryGetValue(global.Name, out var dtype) ? dtype : null;

    /// <summary>REDUCE: the value of <c>callable(*args)</c>, interpreted.</summary>
    public static object Call(PyGlobal callable, object?[] args, string path) => callable.FullName switch
    {
        RebuildTensorV2 when args.Length is 6 or 7 => Tensor(args, Bool(args[4], path), path),
        RebuildTensor when args.Length == 4 => Tensor(args, requiresGrad: false, path),
        RebuildParameter when args.Length == 3 => Parameter(args, path),
        RebuildParameterWithState when args.Length == 4 => Parameter(args, path),
        OrderedDict or Namespace => New(callable, args, path),
        _ => throw Malformed(path, $"a call of {callable.FullName} with {args.Length} arguments"),
    };

    /// <summary>NEWOBJ: <c>cls.__new__(cls, *args)</c> for the allowed container classes.</summary>
    public static object New(PyGlobal cls, object?[] args, string path) => cls.FullName switch
    {
        OrderedDict when args.Length == 0 => new PyDict(),
        Namespace when args.Length == 0 => new PyRecord(cls, new PyDict()),
        _ => throw Malformed(path, $"a construction of {cls.FullName} with {args.Length} arguments"),
    };

    /// <summary>BUILD: sets the pickled state of an object made by <see cref="New"/>.</summary>
    public static void Build(object? target, object? state, string path)
    {
        // torch.save(module.state_dict()) pickles the OrderedDict's `_metadata` attribute (module
        // versions) as a BUILD of the dict itself: inert data, and not part of the state dict.
        if (target is PyDict && state is PyDict) return;
        if (target is not PyRecord record || state is not PyDict attributes)
            throw Malformed(path, $"a BUILD of {target?.GetType().Name ?? "None"} with {state?.GetType().Name ?? "None"}");
        foreach (var (key, value) in attributes) record.Attributes[key] = value;
    }

    private static TensorRef Tensor(object?[] args, bool requiresGrad, string path)
    {
        if (args[0] is not StorageRef storage)
            throw Malformed(path, "a tensor whose storage is not a persistent storage reference");
        var shape = Longs(args[2], path);
        var strides = Longs(args[3], path);
        if (shape.Length != strides.Length)
            throw Malformed(path, $"a tensor with {shape.Length} sizes but {strides.Length} strides");
        return new TensorRef(storage, Long(args[1], path), shape, strides, requiresGrad);
    }

    private static TensorRef Parameter(object?[] args, string path) => args[0] is TensorRef data
        ? data with { RequiresGrad = Bool(args[1], path) }
        : throw Malformed(path, "a parameter that does not wrap a tensor");

    private static long[] Longs(object? value, string path) => value is PyTuple tuple
        ? tuple.Items.Select(v => Long(v, path)).ToArray()
        : throw Malformed(path, "tensor sizes or strides that are not a tuple");

    private static long Long(object? value, string path) =>
        value as long? ?? throw Malformed(path, $"'{value}' where an integer belongs");

    private static bool Bool(object? value, string path) =>
        value as bool? ?? throw Malformed(path, $"'{value}' where a bool belongs");

    private static CheckpointException Malformed(string path, string what) =>
        new(path, $"has a malformed pickle: {what}");
}

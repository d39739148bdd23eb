using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Uniformaly.Research.Torch;

/// <summary>
/// Lets <c>$UNIFORMALY_NATIVE_LIB</c> name the bridge's file (libuniformaly_native.so). A published
/// app carries no bridge that fits another machine's libtorch: on a GPU machine native/ is built
/// against that machine's PyTorch, and this variable points the app at the result (tools/gpu/run.sh).
/// Unset, the runtime's usual search applies: the app's folder, then LD_LIBRARY_PATH.
/// </summary>
public static class NativeLibraryResolver
{
    public const string Variable = "UNIFORMALY_NATIVE_LIB";
    private const string Library = "uniformaly_native";

    /// <summary>Where the bridge comes from, for <c>uniformaly info</c>.</summary>
    public static string Source => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } file
        ? $"{file} (${Variable})"
        : "lib" + Library + ".so next to the app, else LD_LIBRARY_PATH";

#pragma warning disable CA2255 // The resolver must be registered before any DllImport of this assembly binds; only a module initializer runs early enough for every entry point (tensors and image codecs alike).
    [ModuleInitializer]
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeLibraryResolver).Assembly, Resolve);
#pragma warning restore CA2255

    /// <summary>The bridge file <c>$UNIFORMALY_NATIVE_LIB</c> names, or null when it is unset or empty.</summary>
    /// <exception cref="DllNotFoundException">the variable names a file that does not exist.</exception>
    public static string? ExplicitPath()
    {
        if (Environment.GetEnvironmentVariable(Variable) is not { Length: > 0 } file) return null;
        if (!File.Exists(file)) throw new DllNotFoundException($"${Variable} names {file}, which does not exist");
        return file;
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == Library && ExplicitPath() is { } file ? NativeLibrary.Load(file) : IntPtr.Zero;
}

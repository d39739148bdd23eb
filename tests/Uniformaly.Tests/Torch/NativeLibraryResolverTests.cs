using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Torch;

/// <summary>$UNIFORMALY_NATIVE_LIB: how a published app is pointed at a bridge built elsewhere. The
/// bridge of this process is already bound, so only the variable's reading is tested here; loading
/// through it is what tools/gpu/run.sh does with the published app (docs/gpu.md).</summary>
[NonParallelizable]
public sealed class NativeLibraryResolverTests
{
    private string? _saved;

    [SetUp]
    public void Save() => _saved = Environment.GetEnvironmentVariable(NativeLibraryResolver.Variable);

    [TearDown]
    public void Restore() => Environment.SetEnvironmentVariable(NativeLibraryResolver.Variable, _saved);

    [Test]
    public void Unset_LeavesTheUsualSearch()
    {
        Environment.SetEnvironmentVariable(NativeLibraryResolver.Variable, null);
        Assert.That(NativeLibraryResolver.ExplicitPath(), Is.Null);
        Assert.That(NativeLibraryResolver.Source, Does.Contain("next to the app"));
    }

    [Test]
    public void AnExistingFile_IsTheBridge()
    {
        using var folder = new TempFolder();
        var file = folder.File("libuniformaly_native.so");
        Environment.SetEnvironmentVariable(NativeLibraryResolver.Variable, file);
        Assert.That(NativeLibraryResolver.ExplicitPath(), Is.EqualTo(file));
        Assert.That(NativeLibraryResolver.Source, Is.EqualTo($"{file} ($UNIFORMALY_NATIVE_LIB)"));
    }

    [Test]
    public void AMissingFile_FailsNamingTheVariableAndTheFile()
    {
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, "missing.so");
        Environment.SetEnvironmentVariable(NativeLibraryResolver.Variable, file);
        var error = Assert.Throws<DllNotFoundException>(() => NativeLibraryResolver.ExplicitPath())!;
        Assert.That(error.Message, Is.EqualTo($"$UNIFORMALY_NATIVE_LIB names {file}, which does not exist"));
    }
}

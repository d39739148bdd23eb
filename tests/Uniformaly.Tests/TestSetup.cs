using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests;

/// <summary>Applies the toolkit's runtime defaults once for the whole test assembly.</summary>
[SetUpFixture]
public sealed class TestSetup
{
    [OneTimeSetUp]
    public void Initialize() => TorchRuntime.Initialize();

    /// <summary>The folder of a committed fixture area (copied next to the test assembly).</summary>
    public static string Fixture(params string[] parts) =>
        Path.Combine([TestContext.CurrentContext.TestDirectory, "fixtures", .. parts]);
}

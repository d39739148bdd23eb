using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Cli;

public sealed class InfoCommandTests
{
    [Test]
    public void Info_PrintsVersionThreadsAndDevices()
    {
        var (code, output, _) = CliRunner.Run("info");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain($"libtorch:        {TorchRuntime.Version}"));
        Assert.That(output, Does.Contain($"threads:         {Environment.ProcessorCount}"));
        Assert.That(output, Does.Contain("cuda available:  " + (TorchRuntime.CudaIsAvailable ? "yes" : "no")));
        Assert.That(output, Does.Contain("devices:         cpu"));
        Assert.That(output, Does.Contain("image codecs:    PNG, JPEG, TIFF, BMP"), "the development build has the codecs");
        Assert.That(output, Does.Contain("native bridge:   "));
    }

    [Test]
    public void UnknownCommand_FailsWithAMessage()
    {
        var (code, output, error) = CliRunner.Run("frobnicate");
        Assert.That(code, Is.Not.EqualTo(0));
        Assert.That(output + error, Does.Contain("frobnicate"));
    }
}

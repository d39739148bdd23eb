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
        // Skia's native version is asked of libSkiaSharp.so: the line exists only when it loaded.
        Assert.That(output, Does.Match(@"image codecs:    PNG, JPEG, GIF, WebP \(SkiaSharp 3\.119\.0, native [0-9.]+\), TIFF \(LibTiff\.NET [0-9.]+\), BMP"));
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

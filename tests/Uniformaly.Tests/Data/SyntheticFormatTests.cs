using NUnit.Framework;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Research.Imaging;

namespace Uniformaly.Tests.Data;

/// <summary>The synthetic dataset in BMP (for a bridge without codecs) holds exactly the PNG
/// dataset's pixels, under the same names with .bmp.</summary>
public sealed class SyntheticFormatTests
{
    [Test]
    public void Bmp_HasThePngDatasetsFilesAndPixels()
    {
        using var folder = new TempFolder();
        var options = new SyntheticDatasetOptions { Categories = ["synth_object"], TrainImages = 2, TestGoodImages = 1, TestImagesPerDefect = 1, Size = 40, Seed = 3 };
        var png = Path.Combine(folder.Path, "png");
        var bmp = Path.Combine(folder.Path, "bmp");
        SyntheticDataset.Write(png, options with { Format = SyntheticImageFormat.Png });
        SyntheticDataset.Write(bmp, options with { Format = SyntheticImageFormat.Bmp });
        var pngFiles = Directory.GetFiles(png, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(png, f)).Order().ToArray();
        var bmpFiles = Directory.GetFiles(bmp, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(bmp, f)).Order().ToArray();
        Assert.That(pngFiles, Has.Length.EqualTo(2 + 1 + 3 + 3), "images and the three defects' masks");
        Assert.That(bmpFiles, Is.EqualTo(pngFiles.Select(f => Path.ChangeExtension(f, ".bmp")).ToArray()));
        foreach (var file in pngFiles)
        {
            var other = Path.Combine(bmp, Path.ChangeExtension(file, ".bmp"));
            if (file.Contains("ground_truth"))
                Assert.That(ImageDecoder.LoadGray(other).Pixels, Is.EqualTo(ImageDecoder.LoadGray(Path.Combine(png, file)).Pixels), file);
            else
                Assert.That(ImageDecoder.Load(other).Pixels, Is.EqualTo(ImageDecoder.Load(Path.Combine(png, file)).Pixels), file);
        }
    }

    [Test]
    public void Default_IsPngWithTheCodecs()
    {
        using var folder = new TempFolder();
        SyntheticDataset.Write(folder.Path, new SyntheticDatasetOptions { Categories = ["synth_texture"], TrainImages = 1, TestGoodImages = 0, TestImagesPerDefect = 0, Size = 32 });
        Assert.That(ImageCodecs.Available, Is.True, "the development build has the codecs");
        Assert.That(File.Exists(Path.Combine(folder.Path, "synth_texture", "train", "good", "000.png")));
    }

    [Test]
    public void SynthCommand_FormatBmp_WritesBitmaps_AndRejectsOtherFormats()
    {
        using var folder = new TempFolder();
        var (code, _, error) = Cli.CliRunner.Run("synth", "--out", folder.Path, "--categories", "synth_texture", "--train", "1", "--test-good", "0", "--per-defect", "0", "--size", "32", "--format", "bmp");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(File.Exists(Path.Combine(folder.Path, "synth_texture", "train", "good", "000.bmp")));
        (code, _, error) = Cli.CliRunner.Run("synth", "--out", folder.Path, "--format", "gif");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("--format must be png or bmp"));
    }
}

using NUnit.Framework;
using Uniformaly.Research.Imaging;

namespace Uniformaly.Tests.Imaging;

/// <summary>PNG writing round-trips through the PIL-checked decoder and is atomic.</summary>
public sealed class PngWriterTests
{
    [Test]
    public void Save_Rgb_RoundTrips()
    {
        using var folder = new TempFolder();
        var source = ImageDecoder.Load(ImagingFixtures.Path("rgb8.png"));
        var path = Path.Combine(folder.Path, "sub", "out.png");
        PngWriter.Save(path, source);
        var back = ImageDecoder.Load(path);
        Assert.That((back.Width, back.Height), Is.EqualTo((source.Width, source.Height)));
        Assert.That(back.Pixels, Is.EqualTo(source.Pixels));
        Assert.That(Directory.GetFiles(Path.GetDirectoryName(path)!), Is.EqualTo(new[] { path }), "no temporary file is left");
    }

    [Test]
    public void SaveGray_RoundTrips_AndOverwrites()
    {
        using var folder = new TempFolder();
        var path = folder.File("mask.png", [1, 2, 3]);
        var pixels = Enumerable.Range(0, 7 * 5).Select(i => (byte)(i * 7)).ToArray();
        PngWriter.SaveGray(path, 7, 5, pixels);
        var back = ImageDecoder.LoadGray(path);
        Assert.That((back.Width, back.Height), Is.EqualTo((7, 5)));
        Assert.That(back.Pixels, Is.EqualTo(pixels));
        Assert.That(ImageDecoder.Load(path).Pixels, Is.EqualTo(pixels.SelectMany(v => new[] { v, v, v }).ToArray()));
    }

    [Test]
    public void SaveGray_WrongLength_Throws()
    {
        using var folder = new TempFolder();
        Assert.Throws<ArgumentException>(() => PngWriter.SaveGray(Path.Combine(folder.Path, "x.png"), 4, 4, new byte[15]));
        Assert.That(Directory.GetFiles(folder.Path), Is.Empty);
    }

    [Test]
    public void Save_IntoAFileInsteadOfAFolder_NamesThePath()
    {
        using var folder = new TempFolder();
        var blocker = folder.File("blocker");
        var path = Path.Combine(blocker, "out.png");
        var error = Assert.Throws<ImageException>(() => PngWriter.SaveGray(path, 1, 1, [9]))!;
        Assert.That(error.Message, Does.Contain(path));
    }

    [Test]
    public void Encode_WritesPngColourTypes_GrayAndRgb()
    {
        // IHDR's colour type (byte 25): 0 gray, 2 RGB without alpha, as PIL saves modes L and RGB.
        Assert.That(PngWriter.Encode(new byte[6], 3, 2, 1)[25], Is.EqualTo(0));
        Assert.That(PngWriter.Encode(new byte[18], 3, 2, 3)[25], Is.EqualTo(2));
    }
}

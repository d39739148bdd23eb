using NUnit.Framework;
using Uniformaly.Research.Imaging;

namespace Uniformaly.Tests.Imaging;

/// <summary>BMP writing matches PIL 9.4's Image.save(..., "BMP") byte for byte (the decode fixtures
/// rgb24.bmp and gray8.bmp were written by PIL from the pixels stored beside them).</summary>
public sealed class BmpWriterTests
{
    [Test]
    public void Encode_Rgb_IsPilsFile()
    {
        // 39 px wide: 117 bytes a row, padded to 120.
        var pixels = ImagingFixtures.Bytes("rgb24.bmp.rgb.u8");
        Assert.That(BmpWriter.Encode(pixels, 39, 30, 3), Is.EqualTo(ImagingFixtures.Bytes("rgb24.bmp")));
    }

    [Test]
    public void Encode_Gray_IsPilsFile()
    {
        var pixels = ImagingFixtures.Bytes("gray8.bmp.gray.u8");
        Assert.That(BmpWriter.Encode(pixels, 40, 30, 1), Is.EqualTo(ImagingFixtures.Bytes("gray8.bmp")));
    }

    [Test]
    public void Save_RoundTripsThroughTheDecoder_AndLeavesNoTemporaryFile()
    {
        using var folder = new TempFolder();
        var rgb = new RgbImage(7, 5, [.. Enumerable.Range(0, 7 * 5 * 3).Select(i => (byte)(i * 11))]);
        var gray = new GrayImage(7, 5, [.. Enumerable.Range(0, 7 * 5).Select(i => (byte)(i * 7))]);
        var rgbPath = Path.Combine(folder.Path, "rgb.bmp");
        var grayPath = Path.Combine(folder.Path, "mask.bmp");
        BmpWriter.Save(rgbPath, rgb);
        BmpWriter.Save(grayPath, gray);
        Assert.That(ImageDecoder.Load(rgbPath).Pixels, Is.EqualTo(rgb.Pixels));
        Assert.That(ImageDecoder.LoadGray(grayPath).Pixels, Is.EqualTo(gray.Pixels));
        Assert.That(Directory.GetFiles(folder.Path).Select(Path.GetFileName), Is.EquivalentTo(new[] { "rgb.bmp", "mask.bmp" }));
    }

    [Test]
    public void Encode_BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BmpWriter.Encode(new byte[8], 2, 2, 2));
        Assert.Throws<ArgumentException>(() => BmpWriter.Encode(new byte[11], 2, 2, 3));
    }

    [Test]
    public void Save_IntoAFileInsteadOfAFolder_NamesThePath()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.File("blocker"), "out.bmp");
        var error = Assert.Throws<ImageException>(() => BmpWriter.Save(path, new GrayImage(1, 1, [9])))!;
        Assert.That(error.FilePath, Is.EqualTo(path));
    }
}

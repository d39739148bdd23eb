using NUnit.Framework;
using Uniformaly.Research.Imaging;

namespace Uniformaly.Tests.Imaging;

/// <summary>Unreadable files become an <see cref="ImageException"/> naming the file and the reason;
/// nothing aborts the process (Skia's decoders report errors as results, LibTiff.NET's exceptions are wrapped).</summary>
public sealed class ImageErrorTests
{
    private static readonly string[] Formats =
        ["rgb8.png", "rgb.jpg", "quantized.gif", "lossy.webp", "lossless.webp", "rgb_tiff_lzw.tif", "rgb_raw.tif", "rgb_tiled.tif",
         "rgb24.bmp", "palette8.bmp", "bgra32_v5.bmp"];

    private static ImageException AssertUnreadable(string path, string reasonFragment)
    {
        var error = Assert.Throws<ImageException>(() => ImageDecoder.Load(path))!;
        Assert.That(error.Message, Does.Contain(path));
        Assert.That(error.FilePath, Is.EqualTo(path));
        Assert.That(error.Reason, Does.Contain(reasonFragment).IgnoreCase);
        Assert.Throws<ImageException>(() => ImageDecoder.LoadGray(path));
        return error;
    }

    [Test]
    public void MissingFile_IsNamed()
    {
        using var folder = new TempFolder();
        AssertUnreadable(Path.Combine(folder.Path, "nowhere", "missing.png"), "not found");
    }

    [Test]
    public void EmptyFile_IsNamed()
    {
        using var folder = new TempFolder();
        AssertUnreadable(folder.File("empty.png"), "empty");
    }

    [TestCaseSource(nameof(Formats))]
    public void TruncatedFile_IsRejected(string fixture)
    {
        using var folder = new TempFolder();
        var bytes = ImagingFixtures.Bytes(fixture);
        AssertUnreadable(folder.File("cut_" + fixture, bytes[..(bytes.Length / 2)]), "");
    }

    [TestCaseSource(nameof(Formats))]
    public void CorruptBody_IsRejected(string fixture)
    {
        using var folder = new TempFolder();
        var bytes = ImagingFixtures.Bytes(fixture);
        var garbage = new byte[bytes.Length];
        new Random(7).NextBytes(garbage);
        bytes.AsSpan(0, 4).CopyTo(garbage); // keep the signature so the format's own decoder fails
        AssertUnreadable(folder.File("bad_" + fixture, garbage), "");
    }

    [Test]
    public void PngWithBadChecksum_IsRejected()
    {
        using var folder = new TempFolder();
        var bytes = ImagingFixtures.Bytes("rgb8.png");
        bytes[29] ^= 0xFF; // the IHDR CRC
        AssertUnreadable(folder.File("crc.png", bytes), "PNG");
    }

    /// <summary>Valid files in variants the decoder does not handle are named as unsupported, not corrupt.</summary>
    [TestCase("float32.tif", "unsupported layout")]
    [TestCase("rle8.bmp", "unsupported compression 1")]
    [TestCase("bitfields_10bit.bmp", "unsupported 32-bit bit-field layout")]
    public void UnsupportedVariant_IsNamed(string fixture, string reason) =>
        AssertUnreadable(ImagingFixtures.Path(fixture), reason);

    /// <summary>Headers claiming more pixels than PIL opens fail before any large allocation.</summary>
    [TestCase("bomb.png")]
    [TestCase("bomb.jpg")]
    [TestCase("bomb.tif")]
    [TestCase("bomb.bmp")]
    [TestCase("bomb.gif")]
    [TestCase("bomb.webp")]
    public void DecompressionBomb_IsRefusedLikePil(string fixture) =>
        AssertUnreadable(ImagingFixtures.Path(fixture), "decompression bomb");

    [Test]
    public void GifWithoutImage_IsRejected()
    {
        using var folder = new TempFolder();
        AssertUnreadable(folder.File("a.gif", "GIF89a\x01\0\x01\0\0\0\0;"u8.ToArray()), "cannot decode GIF");
    }

    [Test]
    public void WebPWithoutImage_IsRejected()
    {
        using var folder = new TempFolder();
        AssertUnreadable(folder.File("a.webp", "RIFF\x1a\0\0\0WEBPVP8 \x0e\0\0\0"u8.ToArray()), "cannot decode WEBP");
    }

    [Test]
    public void RandomBytes_AreNotAnImage()
    {
        using var folder = new TempFolder();
        var bytes = new byte[300];
        new Random(3).NextBytes(bytes);
        bytes[0] = 0x00;
        AssertUnreadable(folder.File("noise.png", bytes), "not a recognized image");
    }

    [Test]
    public void ExtensionIsIgnored_SignatureDecides()
    {
        using var folder = new TempFolder();
        var path = folder.File("actually_png.jpg", ImagingFixtures.Bytes("rgb8.png"));
        Assert.That(ImageDecoder.Load(path).Pixels, Is.EqualTo(ImagingFixtures.Bytes("rgb8.png.rgb.u8")));
    }

    /// <summary>Cuts and random byte flips of every fixture either decode or raise an
    /// <see cref="ImageException"/>; no other exception escapes and the process survives
    /// (a native decoder's error that escaped as a crash would end it).</summary>
    [Test]
    public void DamagedFiles_OnlyEverRaiseImageException()
    {
        using var folder = new TempFolder();
        var random = new Random(11);
        int rejected = 0;
        foreach (var entry in ImagingFixtures.Entries("decode"))
        {
            var name = entry.GetProperty("file").GetString()!;
            var bytes = ImagingFixtures.Bytes(name);
            var path = Path.Combine(folder.Path, "damaged" + Path.GetExtension(name));
            for (int trial = 0; trial < 40; trial++)
            {
                var damaged = trial < 20 ? bytes[..(1 + (bytes.Length - 1) * trial / 20)] : Flip(bytes, random);
                File.WriteAllBytes(path, damaged);
                try
                {
                    ImageDecoder.Load(path);
                }
                catch (ImageException error)
                {
                    Assert.That(error.FilePath, Is.EqualTo(path));
                    rejected++;
                }
            }
        }
        Assert.That(rejected, Is.GreaterThan(ImagingFixtures.Entries("decode").Count() * 15));
    }

    private static byte[] Flip(byte[] bytes, Random random)
    {
        var copy = (byte[])bytes.Clone();
        for (int k = 0; k < 4; k++) copy[random.Next(copy.Length)] = (byte)random.Next(256);
        return copy;
    }
}

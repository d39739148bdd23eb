using NUnit.Framework;
using Uniformaly.Research.Imaging;

namespace Uniformaly.Tests.Imaging;

/// <summary>Decoding agrees with PIL's Image.open(f).convert("RGB") / convert("L") (SPEC section 1).</summary>
public sealed class ImageDecoderTests
{
    private static IEnumerable<TestCaseData> DecodeCases() =>
        ImagingFixtures.Entries("decode").Select(e => new TestCaseData(e.GetProperty("file").GetString()!,
                e.GetProperty("width").GetInt32(), e.GetProperty("height").GetInt32())
            .SetName($"Decode_{e.GetProperty("file").GetString()}_{e.GetProperty("pilMode").GetString()}"));

    /// <summary>libjpeg is PIL's decoder too, with the same defaults; one level of slack covers a
    /// different libjpeg build's IDCT/upsampling rounding.</summary>
    private static int Tolerance(string file) => file.EndsWith(".jpg") ? 1 : 0;

    [TestCaseSource(nameof(DecodeCases))]
    public void Load_MatchesPilRgb(string file, int width, int height)
    {
        var image = ImageDecoder.Load(ImagingFixtures.Path(file));
        Assert.That((image.Width, image.Height), Is.EqualTo((width, height)));
        Assert.That(ImagingFixtures.MaxDifference(image.Pixels, ImagingFixtures.Bytes(file + ".rgb.u8")), Is.LessThanOrEqualTo(Tolerance(file)));
    }

    [TestCaseSource(nameof(DecodeCases))]
    public void LoadGray_MatchesPilL(string file, int width, int height)
    {
        var image = ImageDecoder.LoadGray(ImagingFixtures.Path(file));
        Assert.That((image.Width, image.Height), Is.EqualTo((width, height)));
        Assert.That(ImagingFixtures.MaxDifference(image.Pixels, ImagingFixtures.Bytes(file + ".gray.u8")), Is.LessThanOrEqualTo(Tolerance(file)));
    }

    [Test]
    public void Jpeg_IsNotTriviallyEqualToTheLosslessSource()
    {
        // Guards the JPEG tolerance: the decoded JPEG really differs from the PNG of the same pixels.
        var jpeg = ImageDecoder.Load(ImagingFixtures.Path("rgb.jpg")).Pixels;
        var png = ImageDecoder.Load(ImagingFixtures.Path("rgb8.png")).Pixels;
        Assert.That(ImagingFixtures.MaxDifference(jpeg, png), Is.GreaterThan(1));
    }
}

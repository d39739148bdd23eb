using NUnit.Framework;
using Uniformaly.Research.Imaging;

namespace Uniformaly.Tests.Imaging;

/// <summary>Decoding agrees with PIL's Image.open(f).convert("RGB") / convert("L") (SPEC section 1) byte
/// for byte, JPEG and lossy WebP included: SkiaSharp ships the same libjpeg-turbo and libwebp
/// decoders with the same defaults as Debian's PIL, so there is no rounding to allow for. What PIL
/// does with each fixture is in fixtures/imaging/README.md.</summary>
public sealed class ImageDecoderTests
{
    private static IEnumerable<TestCaseData> DecodeCases() =>
        ImagingFixtures.Entries("decode").Select(e => new TestCaseData(e.GetProperty("file").GetString()!,
                e.GetProperty("width").GetInt32(), e.GetProperty("height").GetInt32())
            .SetName($"Decode_{e.GetProperty("file").GetString()}_{e.GetProperty("pilMode").GetString()}"));

    [TestCaseSource(nameof(DecodeCases))]
    public void Load_MatchesPilRgb(string file, int width, int height)
    {
        var image = ImageDecoder.Load(ImagingFixtures.Path(file));
        Assert.That((image.Width, image.Height), Is.EqualTo((width, height)));
        Assert.That(image.Pixels, Is.EqualTo(ImagingFixtures.Bytes(file + ".rgb.u8")));
    }

    [TestCaseSource(nameof(DecodeCases))]
    public void LoadGray_MatchesPilL(string file, int width, int height)
    {
        var image = ImageDecoder.LoadGray(ImagingFixtures.Path(file));
        Assert.That((image.Width, image.Height), Is.EqualTo((width, height)));
        Assert.That(image.Pixels, Is.EqualTo(ImagingFixtures.Bytes(file + ".gray.u8")));
    }
}

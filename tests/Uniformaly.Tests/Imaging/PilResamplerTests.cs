using NUnit.Framework;
using Uniformaly.Research.Imaging;

namespace Uniformaly.Tests.Imaging;

/// <summary>The port of Pillow's ImagingResample equals Image.resize byte for byte.</summary>
public sealed class PilResamplerTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        ImagingFixtures.Entries("lanczos").SelectMany(e => new[] { PilFilter.Lanczos, PilFilter.Bilinear }.Select(f =>
            new TestCaseData(e.GetProperty("name").GetString()!, e.GetProperty("width").GetInt32(), e.GetProperty("height").GetInt32(),
                e.GetProperty("outWidth").GetInt32(), e.GetProperty("outHeight").GetInt32(), f)));

    [TestCaseSource(nameof(Cases))]
    public void Resize_EqualsPil(string name, int width, int height, int outWidth, int outHeight, PilFilter filter)
    {
        var source = ImagingFixtures.Bytes(name + ".src.u8");
        var expected = ImagingFixtures.Bytes(name + (filter == PilFilter.Lanczos ? ".out.u8" : ".bilinear.u8"));
        var actual = PilResampler.Resize(source, width, height, 3, outWidth, outHeight, filter);
        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public void Resize_SameSize_IsACopy()
    {
        var source = new byte[] { 1, 2, 3, 4, 5, 6 };
        var copy = PilResampler.Resize(source, 3, 2, 1, 3, 2, PilFilter.Lanczos);
        Assert.That(copy, Is.EqualTo(source));
        Assert.That(copy, Is.Not.SameAs(source));
    }

    [Test]
    public void Resize_WrongLength_Throws() =>
        Assert.Throws<ArgumentException>(() => PilResampler.Resize(new byte[5], 3, 2, 1, 4, 4, PilFilter.Bilinear));
}

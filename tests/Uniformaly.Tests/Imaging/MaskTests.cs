using NUnit.Framework;
using Uniformaly.Research.Imaging;

namespace Uniformaly.Tests.Imaging;

/// <summary>Ground-truth masks: torchvision Resize + CenterCrop + ToTensor, anomalous where == 1.0.</summary>
public sealed class MaskTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        ImagingFixtures.Entries("masks").Select(e => new TestCaseData(e.GetProperty("file").GetString()!,
            e.GetProperty("resize").GetInt32(), e.GetProperty("crop").GetInt32(), e.GetProperty("expected").GetString()!));

    [TestCaseSource(nameof(Cases))]
    public void BinaryMask_EqualsTorchvision(string file, int resize, int crop, string expected)
    {
        var mask = ImageDecoder.LoadGray(ImagingFixtures.Path(file));
        var actual = new ImagePreprocessor(resize, crop).BinaryMask(mask);
        var reference = ImagingFixtures.Bytes(expected);
        Assert.That(actual, Is.EqualTo(reference));
        Assert.That(reference.Count(v => v == 1), Is.GreaterThan(0).And.LessThan(reference.Length));
    }

    [Test]
    public void LoadMask_ChecksTheImageSize()
    {
        var preprocessor = new ImagePreprocessor(40, 32);
        var ok = preprocessor.LoadMask(ImagingFixtures.Path("mask_50x37.png"), ImagingFixtures.Path("pre_50x37.png"));
        Assert.That(ok, Is.EqualTo(ImagingFixtures.Bytes("mask_50x37.png.binary.u8")));
        string mask = ImagingFixtures.Path("mask_wrong_size.png"), image = ImagingFixtures.Path("pre_50x37.png");
        var error = Assert.Throws<ImageException>(() => preprocessor.LoadMask(mask, image))!;
        Assert.That(error.Message, Does.Contain(mask).And.Contain(image).And.Contain("40x30").And.Contain("50x37"));
    }
}

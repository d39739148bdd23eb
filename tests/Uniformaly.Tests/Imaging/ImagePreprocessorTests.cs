using NUnit.Framework;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Imaging;

/// <summary>Resize + CenterCrop + ToTensor + Normalize against torchvision 0.14 on PIL images.</summary>
public sealed class ImagePreprocessorTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        ImagingFixtures.Entries("preprocess").Select(e => new TestCaseData(e.GetProperty("file").GetString()!,
            e.GetProperty("resize").GetInt32(), e.GetProperty("crop").GetInt32(), e.GetProperty("expected").GetString()!));

    /// <summary>SPEC: libtorch's antialiased bilinear, rounded, is within 1/255 of PIL everywhere.</summary>
    [TestCaseSource(nameof(Cases))]
    public void ResizeAndCrop_WithinOneLevelOfTorchvision(string file, int resize, int crop, string expected)
    {
        var image = ImageDecoder.Load(ImagingFixtures.Path(file));
        var actual = new ImagePreprocessor(resize, crop, ImageResampling.Libtorch).ResizeAndCrop(image);
        Assert.That((actual.Width, actual.Height), Is.EqualTo((crop, crop)));
        // The fixtures carry +-40 levels of noise per pixel, so a crop or size off by one pixel
        // would differ by far more than one level somewhere.
        Assert.That(ImagingFixtures.MaxDifference(actual.Pixels, ImagingFixtures.Bytes(expected)), Is.LessThanOrEqualTo(1));
    }

    [TestCaseSource(nameof(Cases))]
    public void ResizeAndCrop_Default_EqualsTorchvision(string file, int resize, int crop, string expected)
    {
        var image = ImageDecoder.Load(ImagingFixtures.Path(file));
        var actual = new ImagePreprocessor(resize, crop).ResizeAndCrop(image);
        Assert.That(actual.Pixels, Is.EqualTo(ImagingFixtures.Bytes(expected)));
    }

    [Test]
    public void Load_MatchesTorchvisionNormalizedTensor()
    {
        var entry = ImagingFixtures.Entries("preprocess").Single(e => e.TryGetProperty("normalized", out _));
        using var scope = new DisposeScope();
        var preprocessor = new ImagePreprocessor(entry.GetProperty("resize").GetInt32(), entry.GetProperty("crop").GetInt32());
        var tensor = preprocessor.Load(ImagingFixtures.Path(entry.GetProperty("file").GetString()!));
        int s = preprocessor.ImageSize;
        Assert.That(tensor.Shape, Is.EqualTo(new long[] { 3, s, s }));
        Assert.That(tensor.DType, Is.EqualTo(DType.Float32));
        // Same 8-bit input as torchvision, so only float32 rounding remains.
        NumericAssert.Close(tensor.ToArray<float>(), ImagingFixtures.Floats(entry.GetProperty("normalized").GetString()!), Tolerances.Normalization, "normalized pixels");
    }

    [Test]
    public void Normalization_IsImageNetMeanAndStd()
    {
        using var scope = new DisposeScope();
        byte[] rgb = [0, 128, 255, 255, 0, 64];
        var actual = ImageNetNormalization.FromHwc(rgb, 2, 1).ToArray<float>();
        float[] mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];
        var expected = new float[6];
        for (int c = 0; c < 3; c++)
        for (int x = 0; x < 2; x++)
            expected[c * 2 + x] = (rgb[x * 3 + c] / 255f - mean[c]) / std[c];
        NumericAssert.Close(actual, expected, Tolerances.Normalization, "normalized pixels");
    }

    [Test]
    public void LoadBatch_StacksInOrder()
    {
        using var scope = new DisposeScope();
        var preprocessor = new ImagePreprocessor(40, 32);
        string a = ImagingFixtures.Path("pre_50x37.png"), b = ImagingFixtures.Path("pre_64x64.png");
        var batch = preprocessor.LoadBatch([a, b, a]);
        Assert.That(batch.Shape, Is.EqualTo(new long[] { 3, 3, 32, 32 }));
        Assert.That(batch.IsContiguous, Is.True);
        Assert.That(batch.Select(0, 1).ToArray<float>(), Is.EqualTo(preprocessor.Load(b).ToArray<float>()));
        Assert.That(batch.Select(0, 2).ToArray<float>(), Is.EqualTo(preprocessor.Load(a).ToArray<float>()));
    }

    [Test]
    public void LoadBatch_UnreadableFile_NamesIt()
    {
        using var folder = new TempFolder();
        var bad = folder.File("bad.png", [1, 2, 3]);
        var error = Assert.Throws<ImageException>(() => new ImagePreprocessor(40, 32).LoadBatch([ImagingFixtures.Path("pre_50x37.png"), bad]))!;
        Assert.That(error.Message, Does.Contain(bad));
    }

    [TestCase(341, 224, 58)] // 58.5 -> 58 (ties to even)
    [TestCase(299, 224, 38)] // 37.5 -> 38
    [TestCase(44, 20, 12)]
    [TestCase(33, 20, 6)]   // 6.5 -> 6
    [TestCase(32, 32, 0)]
    public void CenterCropOffset_RoundsHalfToEven(int size, int crop, int expected) =>
        Assert.That(ResizeGeometry.CenterCropOffset(size, crop), Is.EqualTo(expected));

    [TestCase(50, 37, 40, 54, 40)]
    [TestCase(45, 61, 33, 33, 44)]
    [TestCase(80, 60, 256, 341, 256)]
    [TestCase(64, 64, 48, 48, 48)]
    public void ShorterSideTo_TruncatesTheLongSide(int w, int h, int resize, int ew, int eh) =>
        Assert.That(ResizeGeometry.ShorterSideTo(w, h, resize), Is.EqualTo((ew, eh)));

    [Test]
    public void CropLargerThanResize_IsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ImagePreprocessor(200, 224));
}

using NUnit.Framework;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Imaging;

/// <summary>CIFAR: PIL ANTIALIAS (Lanczos) 32 -> 112, black padding of 56, then normalization.</summary>
public sealed class CifarPreprocessorTests
{
    [Test]
    public void ResizeLanczos_EqualsPil()
    {
        var image = ImageDecoder.Load(ImagingFixtures.Path("cifar.png"));
        Assert.That(CifarPreprocessor.ResizeLanczos(image).Pixels, Is.EqualTo(ImagingFixtures.Bytes("cifar.resized112.u8")));
    }

    [Test]
    public void Preprocess_PadsBlackBeforeNormalizing()
    {
        using var scope = new DisposeScope();
        var image = ImageDecoder.Load(ImagingFixtures.Path("cifar.png"));
        var tensor = CifarPreprocessor.Preprocess(image);
        Assert.That(tensor.Shape, Is.EqualTo(new long[] { 3, 224, 224 }));
        var values = tensor.ToArray<float>();
        var resized = ImagingFixtures.Bytes("cifar.resized112.u8");
        float[] mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];
        var expected = new float[values.Length];
        for (int c = 0; c < 3; c++)
        for (int y = 0; y < 224; y++)
        for (int x = 0; x < 224; x++)
        {
            bool inside = y is >= 56 and < 168 && x is >= 56 and < 168;
            int v = inside ? resized[((y - 56) * 112 + x - 56) * 3 + c] : 0;
            expected[(c * 224 + y) * 224 + x] = (v / 255f - mean[c]) / std[c];
        }
        NumericAssert.Close(values, expected, Tolerances.Normalization, "normalized pixels");
    }

    [Test]
    public void PreprocessBatch_StacksCifarRecords()
    {
        using var scope = new DisposeScope();
        var image = ImageDecoder.Load(ImagingFixtures.Path("cifar.png"));
        var batch = CifarPreprocessor.PreprocessBatch([image.Pixels, image.Pixels]);
        Assert.That(batch.Shape, Is.EqualTo(new long[] { 2, 3, 224, 224 }));
        Assert.That(batch.Select(0, 1).ToArray<float>(), Is.EqualTo(CifarPreprocessor.Preprocess(image).ToArray<float>()));
    }

    [Test]
    public void WrongSize_IsRejected() =>
        Assert.Throws<ArgumentException>(() => CifarPreprocessor.ResizeLanczos(new RgbImage(2, 2, new byte[12])));
}

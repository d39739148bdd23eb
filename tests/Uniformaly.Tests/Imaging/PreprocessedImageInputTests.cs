using NUnit.Framework;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Imaging;

/// <summary>The evaluation's file input delegates to the checked decoder, preprocessor and writer.</summary>
public sealed class PreprocessedImageInputTests
{
    [Test]
    public void Input_ReadsImagesMasksAndCrops_AndWritesPngs()
    {
        using var scope = new DisposeScope();
        using var folder = new TempFolder();
        var input = new PreprocessedImageInput(40, 32);
        string image = ImagingFixtures.Path("pre_50x37.png");
        Assert.That(input.ImageSize, Is.EqualTo(32));
        Assert.That(input.LoadBatch([image]).Shape, Is.EqualTo(new long[] { 1, 3, 32, 32 }));
        Assert.That(input.LoadMask(ImagingFixtures.Path("mask_50x37.png"), image), Is.EqualTo(ImagingFixtures.Bytes("mask_50x37.png.binary.u8")));
        var crop = input.LoadCrop(image);
        Assert.That(crop, Is.EqualTo(ImagingFixtures.Bytes("pre_50x37.png.r40c32.u8")));
        var saved = Path.Combine(folder.Path, "overlay.png");
        input.SavePng(saved, crop);
        Assert.That(ImageDecoder.Load(saved).Pixels, Is.EqualTo(crop));
        var missing = Assert.Throws<ImageException>(() => input.LoadCrop(Path.Combine(folder.Path, "gone.png")))!;
        Assert.That(input.IsUnreadable(missing), Is.True);
        Assert.That(input.IsUnreadable(new InvalidOperationException()), Is.False);
    }
}

using NUnit.Framework;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Imaging;

public sealed class MemoizedImageInputTests
{
    /// <summary>Counts the images the real input decodes.</summary>
    private sealed class CountingInput(IImageInput inner) : IImageInput
    {
        public int Loaded { get; private set; }
        public int ImageSize => inner.ImageSize;
        public Tensor LoadBatch(IReadOnlyList<string> paths) { Loaded += paths.Count; return inner.LoadBatch(paths); }
        public byte[] LoadMask(string maskPath, string imagePath) => inner.LoadMask(maskPath, imagePath);
        public byte[] LoadCrop(string path) => inner.LoadCrop(path);
        public bool IsUnreadable(Exception error) => inner.IsUnreadable(error);
        public void SavePng(string path, byte[] rgb) => inner.SavePng(path, rgb);
    }

    private static string[] WriteImages(TempFolder folder, int count) => Enumerable.Range(0, count).Select(i =>
    {
        var path = Path.Combine(folder.Path, $"{i}.png");
        PngWriter.Save(path, new RgbImage(16, 16, Enumerable.Range(0, 16 * 16 * 3).Select(p => (byte)(p * (i + 1))).ToArray()));
        return path;
    }).ToArray();

    [Test]
    public void RepeatedBatches_DecodeEachImageOnce_AndEqualTheInnerInput()
    {
        using var folder = new TempFolder();
        var paths = WriteImages(folder, 3);
        var counting = new CountingInput(new PreprocessedImageInput(16, 16));
        var memo = new MemoizedImageInput(counting, 1 << 20);
        using var first = memo.LoadBatch([paths[0], paths[1]]);
        using var second = memo.LoadBatch([paths[2], paths[1], paths[0]]);
        Assert.That(counting.Loaded, Is.EqualTo(3));
        using var expected = new PreprocessedImageInput(16, 16).LoadBatch([paths[2], paths[1], paths[0]]);
        Assert.That(second.ToArray<float>(), Is.EqualTo(expected.ToArray<float>()));
    }

    [Test]
    public void OverBudget_EvictsTheLeastRecentlyUsed_AndAChangedFileIsReadAgain()
    {
        using var folder = new TempFolder();
        var paths = WriteImages(folder, 3);
        var counting = new CountingInput(new PreprocessedImageInput(16, 16));
        var memo = new MemoizedImageInput(counting, 2 * 3 * 16 * 16 * sizeof(float)); // room for two images
        foreach (var path in paths) memo.LoadBatch([path]).Dispose(); // 0 is evicted by 2
        memo.LoadBatch([paths[1], paths[2]]).Dispose();
        Assert.That(counting.Loaded, Is.EqualTo(3));
        memo.LoadBatch([paths[0]]).Dispose();
        Assert.That(counting.Loaded, Is.EqualTo(4));
        memo.LoadBatch([paths[0], paths[1], paths[2]]).Dispose(); // a batch over budget still comes back whole
        File.SetLastWriteTimeUtc(paths[0], DateTime.UtcNow.AddMinutes(1));
        memo.LoadBatch([paths[0]]).Dispose();
        Assert.That(counting.Loaded, Is.EqualTo(4 + 1 + 1), "1 was evicted by 0; 0 changed");
    }
}

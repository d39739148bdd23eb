using NUnit.Framework;
using Uniformaly.Research.Imaging;

namespace Uniformaly.Tests.Imaging;

/// <summary>Damaged copies of every decode fixture (each format and mode) either decode or fail with an
/// <see cref="ImageException"/> naming the file: no other exception, no crash of the test host
/// (libpng/libjpeg/libtiff errors are all caught natively).</summary>
public sealed class ImageRobustnessTests
{
    private const int Truncations = 8;
    private const int Corruptions = 16;

    private static IEnumerable<string> Files() =>
        ImagingFixtures.Entries("decode").Select(e => e.GetProperty("file").GetString()!);

    [TestCaseSource(nameof(Files))]
    public void TruncatedAnywhere_FailsCleanly(string file)
    {
        using var folder = new TempFolder();
        var original = ImagingFixtures.Bytes(file);
        for (int k = 0; k < Truncations; k++)
        {
            var path = folder.File($"cut{k}_{file}", original[..(original.Length * k / Truncations)]);
            var error = Assert.Throws<ImageException>(() => ImageDecoder.Load(path), $"cut to {k}/{Truncations}")!;
            Assert.That(error.FilePath, Is.EqualTo(path));
        }
    }

    [TestCaseSource(nameof(Files))]
    public void CorruptedBytes_DecodeOrFailCleanly(string file)
    {
        using var folder = new TempFolder();
        var original = ImagingFixtures.Bytes(file);
        var random = new Random(original.Length);
        for (int trial = 0; trial < Corruptions; trial++)
        {
            var damaged = (byte[])original.Clone();
            // Headers are where decoders trip, so half the trials hit the first 64 bytes.
            int span = trial % 2 == 0 ? Math.Min(64, damaged.Length) : damaged.Length;
            for (int i = 0; i < 1 + trial % 4; i++) damaged[random.Next(2, span)] ^= (byte)random.Next(1, 256);
            var path = folder.File($"bad{trial}_{file}", damaged);
            try
            {
                var image = ImageDecoder.Load(path);
                Assert.That(image.Pixels, Has.Length.EqualTo(image.Width * image.Height * 3));
            }
            catch (ImageException e)
            {
                Assert.That(e.FilePath, Is.EqualTo(path));
            }
        }
    }
}

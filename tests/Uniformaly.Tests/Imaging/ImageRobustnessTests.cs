using NUnit.Framework;
using Uniformaly.Research.Imaging;

namespace Uniformaly.Tests.Imaging;

/// <summary>Every decode fixture (each format and mode) cut anywhere fails with an <see cref="ImageException"/>
/// naming the file, as PIL refuses truncated files; random byte flips are covered by
/// <see cref="ImageErrorTests.DamagedFiles_OnlyEverRaiseImageException"/>. The one exception is PIL's
/// too: an animated GIF cut after its first frame still reads, as that frame.</summary>
public sealed class ImageRobustnessTests
{
    private const int Truncations = 8;

    /// <summary>Multi-frame fixtures, which PIL reads from their first frame alone.</summary>
    private static readonly string[] Animations = ["animated.gif"];

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
            try
            {
                var image = ImageDecoder.Load(path);
                Assert.That(Animations, Does.Contain(file), $"cut to {k}/{Truncations} decoded");
                Assert.That(image.Pixels, Is.EqualTo(ImagingFixtures.Bytes(file + ".rgb.u8")), $"cut to {k}/{Truncations}: the first frame");
            }
            catch (ImageException error)
            {
                Assert.That(error.FilePath, Is.EqualTo(path));
            }
        }
    }
}

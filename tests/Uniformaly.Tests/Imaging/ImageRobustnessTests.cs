using NUnit.Framework;
using Uniformaly.Research.Imaging;

namespace Uniformaly.Tests.Imaging;

/// <summary>Every decode fixture (each format and mode) cut anywhere fails with an <see cref="ImageException"/>
/// naming the file, as PIL refuses truncated files; random byte flips are covered by
/// <see cref="ImageErrorTests.DamagedFiles_OnlyEverRaiseImageException"/>.</summary>
public sealed class ImageRobustnessTests
{
    private const int Truncations = 8;

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
}

using NUnit.Framework;

namespace Uniformaly.Tests.Cli;

/// <summary>`run` and `cluster` with --cache-dir: the backbone's features are kept in the feature cache, so a
/// repeated run computes no backbone forward and gives the same bytes, and an interrupted one resumes.</summary>
public sealed class ResumableRunTests
{
    // Two categories of 4 training and 6 test images (RunFixture's "run" stand-in).
    private const int Images = 2 * (4 + 6);

    private static (int Code, string Error) Command(string command, string data, string output, params string[] more)
    {
        var (code, _, error) = CliRunner.Run([command, "--dataset", "folder", "--data-root", data, "--out", output, .. RunCommandTests.Model, .. more]);
        return (code, error);
    }

    private static string CacheLine(string cache, int read, int computed) =>
        $"feature cache {cache}: {read} images read from it, {computed} through the backbone";

    /// <summary>A second run and a cluster on the same cache run no backbone forward; the scores are byte for byte
    /// those of the first run, and of a run without the cache.</summary>
    [Test]
    [Category("Slow")]
    public void ARepeatedRun_ReadsEveryFeatureFromTheCache_AndWritesTheSameScores()
    {
        using var data = new TempFolder();
        RunFixture.WriteRunData(data.Path);
        using var cache = new TempFolder();
        using var first = new TempFolder();
        using var second = new TempFolder();
        using var uncached = new TempFolder();
        var (code, error) = Command("run", data.Path, first.Path, "--cache-dir", cache.Path);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(error, Does.Contain(CacheLine(cache.Path, 0, Images)));
        (code, error) = Command("run", data.Path, second.Path, "--cache-dir", cache.Path);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(error, Does.Contain(CacheLine(cache.Path, Images, 0)), "no backbone forward the second time");
        (code, error) = Command("run", data.Path, uncached.Path);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(error, Does.Not.Contain("feature cache"));
        var scores = File.ReadAllBytes(Path.Combine(first.Path, "scores.csv"));
        Assert.That(File.ReadAllBytes(Path.Combine(second.Path, "scores.csv")), Is.EqualTo(scores));
        Assert.That(File.ReadAllBytes(Path.Combine(uncached.Path, "scores.csv")), Is.EqualTo(scores), "the cache changes no bit");

        using var clusters = new TempFolder();
        using var clustersAgain = new TempFolder();
        (code, error) = Command("cluster", data.Path, clusters.Path, "--cache-dir", cache.Path);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(error, Does.Contain(CacheLine(cache.Path, Images, 0)), "cluster reads what run stored");
        (code, error) = Command("cluster", data.Path, clustersAgain.Path);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(File.ReadAllBytes(Path.Combine(clusters.Path, "clusters.csv")), Is.EqualTo(File.ReadAllBytes(Path.Combine(clustersAgain.Path, "clusters.csv"))));
    }

    /// <summary>A run that fails mid-way (an unreadable test image of the second category) keeps the features it
    /// computed; run again once the file is mended, it computes only the rest, and writes what an uninterrupted run writes.</summary>
    [Test]
    [Category("Slow")]
    public void AnInterruptedRun_ResumesFromTheCache()
    {
        using var data = new TempFolder();
        RunFixture.WriteRunData(data.Path);
        using var reference = new TempFolder();
        var (code, error) = Command("run", data.Path, reference.Path);
        Assert.That(code, Is.EqualTo(0), error);

        var image = Path.Combine(data.Path, "synth_texture", "test", "good", "001.png");
        var original = File.ReadAllBytes(image);
        File.WriteAllBytes(image, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        using var cache = new TempFolder();
        using var output = new TempFolder();
        (code, error) = Command("run", data.Path, output.Path, "--cache-dir", cache.Path);
        Assert.That(code, Is.EqualTo(1), "the unreadable image stops the run");
        Assert.That(error, Does.Contain("001.png"));
        Assert.That(File.Exists(Path.Combine(output.Path, "scores.csv")), Is.False);

        File.WriteAllBytes(image, original);
        (code, error) = Command("run", data.Path, output.Path, "--cache-dir", cache.Path);
        Assert.That(code, Is.EqualTo(0), error);
        // synth_object (10 images) and synth_texture's 4 training images were done; its 6 test images (one batch) were not.
        Assert.That(error, Does.Contain(CacheLine(cache.Path, 14, 6)));
        Assert.That(File.ReadAllBytes(Path.Combine(output.Path, "scores.csv")), Is.EqualTo(File.ReadAllBytes(Path.Combine(reference.Path, "scores.csv"))));
    }

    [Test]
    public void ACacheFolderThatIsAFile_IsAnErrorNamingIt()
    {
        using var data = new TempFolder();
        RunFixture.WriteRunData(data.Path);
        using var output = new TempFolder();
        var file = output.File("not-a-folder");
        var (code, error) = Command("run", data.Path, Path.Combine(output.Path, "out"), "--cache-dir", file);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain($"feature cache folder {file} is a file, not a folder"));
    }
}

using NUnit.Framework;
using Uniformaly.Research.Caching;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Data.Synthetic;
using Uniformaly.Research.Torch;
using Uniformaly.Tests.Cli;
using Uniformaly.Tests.Parity;
using Uniformaly.Tests.Reproduction;

namespace Uniformaly.Tests.Caching;

/// <summary>
/// `uniformaly cache clear|info|adopt` and `reproduce --cache-dir` on folders that also hold the
/// user's files: the two data losses of issue 11 ("What was seen", item 1), now refused or avoided.
/// </summary>
public sealed class CacheCommandTests
{
    private static Dictionary<string, byte[]> Snapshot(string root) =>
        Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(root, f), File.ReadAllBytes);

    private static void AssertKept(string root, Dictionary<string, byte[]> before)
    {
        foreach (var (relative, content) in before)
            Assert.That(File.Exists(Path.Combine(root, relative)) ? File.ReadAllBytes(Path.Combine(root, relative)) : null, Is.EqualTo(content), relative);
    }

    [Test]
    public void Reproduce_WithATinyCacheLimit_KeepsTheUsersModelFilesInTheCacheFolder()
    {
        using var data = new TempFolder();
        SyntheticDataset.Write(Path.Combine(data.Path, "mvtec"), new SyntheticDatasetOptions { TrainImages = 3, TestGoodImages = 2, TestImagesPerDefect = 1, Size = 64 });
        using var cacheDir = new TempFolder();
        File.Copy(TestSetup.Fixture("checkpoints", "hand_written.safetensors"), Path.Combine(cacheDir.Path, "my_vit.safetensors"));
        var model = Path.Combine(cacheDir.Path, "model");
        var (code, _, error) = CliRunner.Run(["fit", "--images", Path.Combine(data.Path, "mvtec", "synth_object", "train", "good"), "--out", model,
            "--checkpoint", ParityFixture.Checkpoint, "--layers", "1-3", "--resize", "64", "--imagesize", "64"]);
        Assert.That(code, Is.EqualTo(0), error);
        var before = Snapshot(cacheDir.Path);
        Assert.That(before.Keys, Is.SupersetOf(new[] { "my_vit.safetensors", Path.Combine("model", "memory_bank.safetensors"), Path.Combine("model", "settings.json") }));

        using var output = new TempFolder();
        // 0.000001 GB is about 1 KB, less than one entry: every store trims the cache.
        (code, var stdout, error) = CliRunner.Run(["reproduce", "table1", "--data-root", data.Path, "--out", output.Path, "--categories", StandIns.Categories,
            "--cache-dir", cacheDir.Path, "--cache-limit-gb", "0.000001", .. StandIns.TinyModel]);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout, Does.Contain("images through the backbone"));
        AssertKept(cacheDir.Path, before);
        Assert.That(FeatureCache.Inspect(cacheDir.Path) is { IsCache: true, Entries: 0 }, "each store trimmed the cache below its limit");

        (code, _, error) = CliRunner.Run("predict", "--model", model, "--images", Path.Combine(data.Path, "mvtec", "synth_object", "test", "good"));
        Assert.That(code, Is.EqualTo(0), "the fitted model still works: " + error);

        (code, stdout, error) = CliRunner.Run("cache", "clear", "--cache-dir", cacheDir.Path);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout, Does.Contain($"cleared {cacheDir.Path}").And.Contain("other files there were kept"));
        Assert.That(Snapshot(cacheDir.Path).Keys, Is.EquivalentTo(before.Keys), "only the cache's own files went");
        AssertKept(cacheDir.Path, before);
    }

    [Test]
    public void CacheClear_OnAFolderOfTheUsersFiles_RefusesAndDeletesNothing()
    {
        using var folder = new TempFolder();
        folder.File("thesis.tex", "\\documentclass{article}"u8.ToArray());
        folder.File("notes.txt", "remember"u8.ToArray());
        var before = Snapshot(folder.Path);
        var (code, stdout, error) = CliRunner.Run("cache", "clear", "--cache-dir", folder.Path);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(stdout, Is.Empty, "no 'cleared' line");
        Assert.That(error.TrimEnd(), Is.EqualTo($"error: {folder.Path} is not a Uniformaly feature cache (it has no uniformaly-cache.json), so nothing was deleted"));
        AssertKept(folder.Path, before);
        Assert.That(Directory.EnumerateFileSystemEntries(folder.Path).Count(), Is.EqualTo(2));
    }

    [Test]
    public void CacheInfo_CountsOnlyTheCachesOwnEntries()
    {
        using var folder = new TempFolder();
        folder.File("big_user_file.safetensors", new byte[3 << 20]);
        using (new DisposeScope())
            new FeatureCache(folder.Path, 1 << 30).Store(FeatureCache.Key("f", [1]), Tensor.Zeros([256, 256]),
                Tensor.Zeros([256]));
        var (code, stdout, error) = CliRunner.Run("cache", "info", "--cache-dir", folder.Path);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout, Does.Contain($"cache:   {folder.Path}").And.Contain("entries: 1 (0.3 MiB)"));
    }

    [Test]
    public void CacheInfoAndClear_OnAFolderThatDoesNotExist_SayThereIsNothing()
    {
        using var folder = new TempFolder();
        var root = Path.Combine(folder.Path, "none");
        var (code, stdout, _) = CliRunner.Run("cache", "info", "--cache-dir", root);
        Assert.That((code, stdout), Is.EqualTo((0, $"cache:   {root}\nentries: none (the folder does not exist yet)\n")));
        (code, stdout, _) = CliRunner.Run("cache", "clear", "--cache-dir", root);
        Assert.That((code, stdout), Is.EqualTo((0, $"no feature cache in {root}: nothing to clear\n")));
    }

    [Test]
    public void CacheAdopt_TakesOverAnOlderCachesEntries_ThenClearRemovesExactlyThose()
    {
        using var folder = new TempFolder();
        var key = FeatureCache.Key("f", [1]);
        Directory.CreateDirectory(Path.Combine(folder.Path, key[..2]));
        using (new DisposeScope())
            SafeTensors.Write(Path.Combine(folder.Path, key[..2], key + ".safetensors"), new Dictionary<string, Tensor>
            {
                ["features"] = Tensor.Zeros([4, 4]), ["cls_attention"] = Tensor.Zeros([4]),
            });
        folder.File("notes.txt", [1]);
        var (code, stdout, _) = CliRunner.Run("cache", "info", "--cache-dir", folder.Path);
        Assert.That(stdout, Does.Contain("not a feature cache").And.Contain("legacy:  1 entries"));
        (code, _, var error) = CliRunner.Run("cache", "clear", "--cache-dir", folder.Path);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("uniformaly cache adopt --cache-dir"));
        (code, stdout, error) = CliRunner.Run("cache", "adopt", "--cache-dir", folder.Path);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout, Does.Contain("it adopted 1 entries"));
        (code, stdout, _) = CliRunner.Run("cache", "clear", "--cache-dir", folder.Path);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(Directory.EnumerateFileSystemEntries(folder.Path).Select(Path.GetFileName), Is.EqualTo(new[] { "notes.txt" }));
    }
}

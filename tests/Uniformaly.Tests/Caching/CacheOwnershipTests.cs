using NUnit.Framework;
using Uniformaly.Research.Caching;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Caching;

/// <summary>
/// The cache owns only what it wrote: it marks its folder, lists every entry before writing it,
/// and trims and clears only listed entries, so that users' files in the folder (whatever their
/// extension), unmarked folders, damaged lists, crashes and processes sharing a cache never cost a
/// file that is not the cache's.
/// </summary>
public sealed class CacheOwnershipTests
{
    private const string Log = "uniformaly-cache.log";

    private static string KeyOf(int i) => FeatureCache.Key("test", BitConverter.GetBytes(i));

    private static string EntryPath(string root, string key) => Path.Combine(root, key[..2], key + ".safetensors");

    private static void Store(FeatureCache cache, int i, int patches = 64)
    {
        using var scope = new DisposeScope();
        cache.Store(KeyOf(i), Tensor.Full([patches, 8], i), Tensor.Full([patches], i));
    }

    /// <summary>Bytes of an entry of 64 patches (features [64, 8] and attention [64], float32, and the header).</summary>
    private static readonly long EntryBytes = MeasureEntry();

    private static long MeasureEntry()
    {
        using var folder = new TempFolder();
        Store(new FeatureCache(folder.Path, 1 << 20), 0);
        return new FileInfo(EntryPath(folder.Path, KeyOf(0))).Length;
    }

    /// <summary>An entry as the cache before marked folders wrote it, straight to KEY[..2]/KEY.safetensors.</summary>
    private static string WriteLegacyEntry(string root, string key, string folder, string features = "features")
    {
        using var scope = new DisposeScope();
        var path = Path.Combine(root, folder, key + ".safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        SafeTensors.Write(path, new Dictionary<string, Tensor> { [features] = Tensor.Zeros([4, 8]), ["cls_attention"] = Tensor.Zeros([4]) });
        return path;
    }

    /// <summary>The live keys of the entry list, read as its format says (+KEY adds, -KEY removes).</summary>
    private static HashSet<string> Listed(string root)
    {
        var live = new HashSet<string>();
        foreach (var line in File.ReadAllLines(Path.Combine(root, Log)).Skip(1).Where(l => l.Length == 65))
            if (line[0] == '+') live.Add(line[1..]);
            else live.Remove(line[1..]);
        return live;
    }

    /// <summary>Files at entry paths (KEY[..2]/KEY.safetensors).</summary>
    private static IEnumerable<string> EntryFilesOnDisk(string root) =>
        Directory.EnumerateDirectories(root).Where(d => Path.GetFileName(d).Length == 2)
            .SelectMany(d => Directory.EnumerateFiles(d, "*.safetensors")).Select(Path.GetFileNameWithoutExtension).OfType<string>();

    /// <summary>Every file under <paramref name="root"/> with its content.</summary>
    private static Dictionary<string, byte[]> Snapshot(string root, IEnumerable<string> relative) =>
        relative.ToDictionary(r => r, r => File.ReadAllBytes(Path.Combine(root, r)));

    private static void AssertUnchanged(string root, Dictionary<string, byte[]> before)
    {
        foreach (var (relative, content) in before)
        {
            Assert.That(File.Exists(Path.Combine(root, relative)), relative + " was deleted");
            Assert.That(File.ReadAllBytes(Path.Combine(root, relative)), Is.EqualTo(content), relative + " was changed");
        }
    }

    [Test]
    public void UsingAFolder_MarksIt_AndListsEachEntryItWrites()
    {
        using var folder = new TempFolder();
        var root = Path.Combine(folder.Path, "cache");
        var cache = new FeatureCache(root, 1 << 20);
        Assert.That(Directory.Exists(root), Is.False, "nothing is written before the cache is used");
        Store(cache, 1);
        Store(cache, 2);
        Assert.That(File.ReadAllText(Path.Combine(root, FeatureCache.MarkerFileName)), Does.Contain("\"format\": \"uniformaly-feature-cache\""));
        var lines = File.ReadAllLines(Path.Combine(root, Log));
        Assert.That(lines[0], Does.Match("^uniformaly-feature-cache-journal 1 [0-9a-f]{32}$"));
        Assert.That(lines.Skip(1), Is.EqualTo(new[] { "+" + KeyOf(1), "+" + KeyOf(2) }));
        Assert.That(FeatureCache.Inspect(root), Is.EqualTo(new FeatureCacheInfo(root, true, true, 2, 2 * new FileInfo(EntryPath(root, KeyOf(1))).Length, 0, 0)));
    }

    [Test]
    public void UsersFilesInTheCacheFolder_SurviveTrimmingAndClearing_WhateverTheirNames()
    {
        using var folder = new TempFolder();
        var root = folder.Path;
        string[] mine =
        [
            "my_vit.safetensors", "model/memory_bank.safetensors", "thesis.tex",
            "ab/mine.safetensors",                             // in what could be a fan-out folder
            $"{KeyOf(99)[..2]}/{KeyOf(99)}.safetensors",      // an entry path the cache never listed
            $"{KeyOf(98)[..2]}/{KeyOf(98)}.safetensors.0123456789abcdef0123456789abcdef.tmp",
        ];
        foreach (var (relative, i) in mine.Select((r, i) => (r, i))) folder.File(relative, Enumerable.Repeat((byte)i, 5000).ToArray());
        var before = Snapshot(root, mine);
        var cache = new FeatureCache(root, EntryBytes * 3 / 2); // one entry and a half: every store trims
        for (var i = 0; i < 6; i++) Store(cache, i);
        Assert.That(FeatureCache.Inspect(root).Entries, Is.EqualTo(1));
        Assert.That(cache.TryLoad(KeyOf(99)), Is.Null, "a file the cache did not list is not its entry");
        AssertUnchanged(root, before);

        var cleared = FeatureCache.Clear(root);
        Assert.That(cleared.Entries, Is.EqualTo(1));
        AssertUnchanged(root, before);
        Assert.That(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)),
            Is.EquivalentTo(mine), "the cache's own files are gone, the user's are all there");
    }

    [Test]
    public void Clear_OnAFolderThatIsNotACache_RefusesAndDeletesNothing()
    {
        using var folder = new TempFolder();
        string[] files = ["thesis.tex", "notes.txt", "weights.safetensors", $"{KeyOf(1)[..2]}/{KeyOf(1)}.safetensors"];
        foreach (var file in files) folder.File(file, [1, 2, 3]);
        var before = Snapshot(folder.Path, files);
        var error = Assert.Throws<FeatureCacheException>(() => FeatureCache.Clear(folder.Path));
        Assert.That(error!.Message, Does.Contain(folder.Path).And.Contain("not a Uniformaly feature cache").And.Contain("nothing was deleted"));
        Assert.That(error.Message, Does.Not.Contain("adopt"), "a file with a key's name but not an entry's content is not a legacy entry");
        AssertUnchanged(folder.Path, before);
        Assert.That(File.Exists(Path.Combine(folder.Path, FeatureCache.MarkerFileName)), Is.False, "a refused clear does not mark the folder");
    }

    [Test]
    public void Clear_OnAMissingOrEmptyFolder_HasNothingToDo()
    {
        using var folder = new TempFolder();
        Assert.That(FeatureCache.Clear(Path.Combine(folder.Path, "none")), Is.EqualTo(new FeatureCacheInfo(Path.Combine(folder.Path, "none"), false, false, 0, 0, 0, 0)));
        Assert.That(FeatureCache.Clear(folder.Path).IsCache, Is.False);
        Assert.That(Directory.Exists(folder.Path), "an empty folder the user made stays");
        var file = folder.File("file.txt", [1]);
        Assert.Throws<FeatureCacheException>(() => FeatureCache.Clear(file));
        Assert.That(File.Exists(file));
    }

    [Test]
    public void ClearingACacheInAFolderTheUserMade_KeepsTheFolder()
    {
        using var folder = new TempFolder();
        Store(new FeatureCache(folder.Path, 1 << 20), 1);
        FeatureCache.Clear(folder.Path);
        Assert.That(Directory.Exists(folder.Path));
        Assert.That(Directory.EnumerateFileSystemEntries(folder.Path), Is.Empty);
    }

    [TestCase("garbage", TestName = "DamagedEntryList_Garbage")]
    [TestCase("missing", TestName = "DamagedEntryList_Missing")]
    [TestCase("marker", TestName = "DamagedEntryList_DamagedMarker")]
    public void DamagedEntryListOrMarker_RefusesToStoreTrimOrClear_AndDeletesNothing(string damage)
    {
        using var folder = new TempFolder();
        var root = folder.Path;
        folder.File("my_vit.safetensors", [7]);
        var cache = new FeatureCache(root, 1 << 20);
        Store(cache, 1);
        Store(cache, 2);
        var log = Path.Combine(root, Log);
        switch (damage)
        {
            case "garbage": File.WriteAllText(log, "this is not an entry list\n+" + KeyOf(1) + "\n"); break;
            case "missing": File.Delete(log); break;
            default: File.WriteAllText(Path.Combine(root, FeatureCache.MarkerFileName), "{\"format\": \"something else\"}"); break;
        }
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).ToList();
        var before = Snapshot(root, files);
        var error = Assert.Throws<FeatureCacheException>(() => FeatureCache.Clear(root));
        Assert.That(error!.Message, Does.Contain(root).And.Contain("deletes nothing"));
        Assert.Throws<FeatureCacheException>(() => Store(new FeatureCache(root, 1), 3), "a new instance reads the damage");
        Assert.Throws<FeatureCacheException>(() => FeatureCache.Inspect(root));
        AssertUnchanged(root, before);
        Assert.That(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Count(), Is.EqualTo(files.Count), "nothing written either");
    }

    [Test]
    public void ALineTornByACrash_IsSkipped_AndTheListStaysUsable()
    {
        using var folder = new TempFolder();
        var root = folder.Path;
        var cache = new FeatureCache(root, 1 << 20);
        Store(cache, 1);
        File.AppendAllText(Path.Combine(root, Log), "+" + KeyOf(2)[..20]); // a crash in the middle of a record
        var another = new FeatureCache(root, 1 << 20);
        Assert.That(another.TryLoad(KeyOf(2)), Is.Null);
        Store(another, 3);
        Assert.That(File.ReadAllLines(Path.Combine(root, Log)).Skip(1), Is.EqualTo(new[] { "+" + KeyOf(1), "+" + KeyOf(2)[..20], "+" + KeyOf(3) }));
        Assert.That(FeatureCache.Inspect(root) is { Entries: 2, IgnoredLines: 1 });
        using var scope = new DisposeScope();
        Assert.That(another.TryLoad(KeyOf(1))!.Value.Features.ToArray<float>(), Is.All.EqualTo(1f));
        Assert.That(cache.TryLoad(KeyOf(3)), Is.Not.Null, "the first instance reads what the second appended");
    }

    [Test]
    public void ARecordWhoseWriteCrashed_IsDroppedAtTheNextTrim_WithItsTemporaryFile()
    {
        using var folder = new TempFolder();
        var root = folder.Path;
        var cache = new FeatureCache(root, 1 << 20);
        Store(cache, 1);
        // The record is written first; the process then died while writing the entry's temporary file.
        File.AppendAllText(Path.Combine(root, Log), "+" + KeyOf(2) + "\n");
        var temporary = folder.File($"{KeyOf(2)[..2]}/{KeyOf(2)}.safetensors.0123456789abcdef0123456789abcdef.tmp", [1, 2]);
        Assert.That(cache.TryLoad(KeyOf(2)), Is.Null);
        cache.Trim();
        Assert.That(File.Exists(temporary), Is.False);
        Assert.That(Listed(root), Is.EquivalentTo(new[] { KeyOf(1) }));
        Assert.That(cache.TryLoad(KeyOf(1)), Is.Not.Null);
    }

    [Test]
    public void AnUnmarkedFolderOfAnOlderCache_IsAdoptedOnlyForItsEntries()
    {
        using var folder = new TempFolder();
        var root = folder.Path;
        var (a, b) = (KeyOf(1), KeyOf(2));
        string[] legacy = [WriteLegacyEntry(root, a, a[..2]), WriteLegacyEntry(root, b, b[..2])];
        string[] notEntries =
        [
            Path.GetRelativePath(root, WriteLegacyEntry(root, KeyOf(3), KeyOf(3)[..2] == "00" ? "01" : "00")), // not its fan-out folder
            Path.GetRelativePath(root, WriteLegacyEntry(root, KeyOf(4), KeyOf(4)[..2], features: "weights")), // other tensors
            Path.GetRelativePath(root, WriteLegacyEntry(root, KeyOf(5).ToUpperInvariant(), KeyOf(5)[..2])),  // not a key
            Path.GetRelativePath(root, WriteLegacyEntry(root, KeyOf(6), Path.Combine("model", KeyOf(6)[..2]))), // deeper
            "ab/mine.safetensors", "notes.txt",
        ];
        folder.File("ab/mine.safetensors", [1]);
        folder.File("notes.txt", [1]);
        var before = Snapshot(root, notEntries);

        var unmarked = FeatureCache.Inspect(root);
        Assert.That((unmarked.IsCache, unmarked.LegacyEntries), Is.EqualTo((false, 2)));
        var refused = Assert.Throws<FeatureCacheException>(() => FeatureCache.Clear(root));
        Assert.That(refused!.Message, Does.Contain("2 entries").And.Contain($"uniformaly cache adopt --cache-dir {root}"));
        Assert.That(legacy.All(File.Exists));

        Assert.That(FeatureCache.Adopt(root) is { IsCache: true, Entries: 2 });
        Assert.That(Listed(root), Is.EquivalentTo(new[] { a, b }));
        using (new DisposeScope())
            Assert.That(new FeatureCache(root, 1 << 20).TryLoad(a), Is.Not.Null, "an adopted entry is a hit");
        Assert.That(FeatureCache.Clear(root).Entries, Is.EqualTo(2));
        Assert.That(legacy.Any(File.Exists), Is.False);
        AssertUnchanged(root, before);
    }

    [Test]
    public void ACacheInAFolderOfAnOlderCache_AdoptsItsEntriesWhenFirstUsed()
    {
        using var folder = new TempFolder();
        var old = WriteLegacyEntry(folder.Path, KeyOf(1), KeyOf(1)[..2]);
        var cache = new FeatureCache(folder.Path, 1 << 20);
        using var scope = new DisposeScope();
        Assert.That(cache.TryLoad(KeyOf(1)), Is.Not.Null);
        Assert.That(FeatureCache.Inspect(folder.Path).Entries, Is.EqualTo(1));
        FeatureCache.Clear(folder.Path);
        Assert.That(File.Exists(old), Is.False);
    }

    [Test]
    public void ProcessesSharingACache_KeepItsListExact()
    {
        using var folder = new TempFolder();
        var root = folder.Path;
        var user = folder.File("my_vit.safetensors", [1, 2, 3]);
        // Each worker has its own instance, so its own lock file handle: to the OS they are separate
        // holders, as two processes are. Keys overlap across workers; the limit keeps 7 or 8 entries.
        var workers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            var cache = new FeatureCache(root, 8 * EntryBytes);
            for (var i = 0; i < 40; i++)
            {
                using var scope = new DisposeScope();
                if (cache.TryLoad(KeyOf(w * 20 + i)) is { } hit) { hit.Features.Dispose(); hit.Attention.Dispose(); }
                else Store(cache, w * 20 + i);
            }
        })).ToArray();
        Task.WaitAll(workers);
        var listed = Listed(root);
        Assert.That(EntryFilesOnDisk(root), Is.SubsetOf(listed), "every entry file on disk is listed");
        Assert.That(listed.Count(k => !File.Exists(EntryPath(root, k))), Is.Zero, "every listed entry exists");
        Assert.That(FeatureCache.Inspect(root).IgnoredLines, Is.Zero);
        var trimmed = new FeatureCache(root, 8 * EntryBytes);
        trimmed.Trim(); // each worker counts only its own stores between trims
        Assert.That(trimmed.SizeBytes, Is.InRange(EntryBytes, 8 * EntryBytes));
        Assert.That(File.ReadAllBytes(user), Is.EqualTo(new byte[] { 1, 2, 3 }));
        FeatureCache.Clear(root);
        Assert.That(Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName), Is.EqualTo(new[] { "my_vit.safetensors" }));
    }

    [Test]
    public void ACacheClearedByAnotherProcess_IsMarkedAfreshAtItsNextUse()
    {
        using var folder = new TempFolder();
        var root = Path.Combine(folder.Path, "cache");
        var cache = new FeatureCache(root, 1 << 20);
        Store(cache, 1);
        FeatureCache.Clear(root);
        Assert.That(Directory.Exists(root), Is.False);
        Assert.That(cache.TryLoad(KeyOf(1)), Is.Null);
        Store(cache, 2);
        Assert.That(Listed(root), Is.EquivalentTo(new[] { KeyOf(2) }));
        Assert.That(cache.SizeBytes, Is.EqualTo(EntryBytes));
    }

    [Test]
    public void AListOfMostlyRemovedEntries_IsRewrittenWithTheLiveOnes()
    {
        using var folder = new TempFolder();
        var root = folder.Path;
        var cache = new FeatureCache(root, 220); // one entry of one patch: each store removes the previous one
        for (var i = 0; i < 600; i++) Store(cache, i, patches: 1);
        var lines = File.ReadAllLines(Path.Combine(root, Log));
        Assert.That(lines.Length, Is.LessThan(1 + 2 * 600), "compacted at least once");
        Assert.That(Listed(root), Is.EquivalentTo(new[] { KeyOf(599) }));
        Assert.That(EntryFilesOnDisk(root), Is.EquivalentTo(new[] { KeyOf(599) }));
    }

    [Test]
    public void AKeyThatIsNotADigest_IsRefused()
    {
        using var folder = new TempFolder();
        using var scope = new DisposeScope();
        var cache = new FeatureCache(folder.Path, 1 << 20);
        Assert.Throws<ArgumentException>(() => cache.Store("../../thesis", Tensor.Zeros([1, 1]), Tensor.Zeros([1])));
        Assert.Throws<ArgumentException>(() => cache.TryLoad("ab01"));
    }
}

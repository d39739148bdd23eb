using NUnit.Framework;
using Uniformaly.Research.Caching;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Caching;

public sealed class FeatureCacheTests
{
    [Test]
    public void StoreThenLoad_RoundTripsExactly()
    {
        using var folder = new TempFolder();
        using var scope = new DisposeScope();
        var image = folder.File("a.png", [1, 2, 3]);
        var cache = new FeatureCache(Path.Combine(folder.Path, "cache"), 1 << 20);
        var key = FeatureCache.Key("dino_vits16|3-10|10|256/224", image);
        Assert.That(cache.TryLoad(key), Is.Null);
        var features = Tensor.FromArray(new float[] { 1.5f, -2, 3.25f, 4 }, 2, 2);
        var attention = Tensor.FromArray(new float[] { 0.25f, 0.75f });
        cache.Store(key, features, attention);
        var loaded = cache.TryLoad(key)!.Value;
        Assert.That(loaded.Features.Shape, Is.EqualTo(new long[] { 2, 2 }));
        Assert.That(loaded.Features.ToArray<float>(), Is.EqualTo(features.ToArray<float>()));
        Assert.That(loaded.Attention.ToArray<float>(), Is.EqualTo(attention.ToArray<float>()));
        loaded.Features.Dispose();
        loaded.Attention.Dispose();
    }

    [Test]
    public void Key_ChangesWithContentAndFingerprint()
    {
        using var folder = new TempFolder();
        var a = folder.File("a.png", [1, 2, 3]);
        var b = folder.File("b.png", [1, 2, 3]);
        var k = FeatureCache.Key("f", a);
        Assert.That(FeatureCache.Key("f", b), Is.EqualTo(k), "same bytes, same key, whatever the name");
        Assert.That(FeatureCache.Key("g", a), Is.Not.EqualTo(k));
        File.WriteAllBytes(a, [1, 2, 4]);
        Assert.That(FeatureCache.Key("f", a), Is.Not.EqualTo(k));
    }

    [Test]
    public void Trim_EvictsLeastRecentlyUsedFirst()
    {
        using var folder = new TempFolder();
        using var scope = new DisposeScope();
        var features = Tensor.Zeros([64, 64]); // 16 KB per entry
        var attention = Tensor.Zeros([64]);
        var cache = new FeatureCache(Path.Combine(folder.Path, "cache"), 40_000);
        cache.Store("aa01", features, attention);
        cache.Store("aa02", features, attention);
        File.SetLastAccessTimeUtc(Path.Combine(cache.Root, "aa", "aa01.safetensors"), DateTime.UtcNow.AddHours(1));
        cache.Store("aa03", features, attention);
        Assert.That(cache.SizeBytes, Is.LessThanOrEqualTo(40_000));
        Assert.That(cache.TryLoad("aa02"), Is.Null, "the least recently used entry went");
        Assert.That(cache.TryLoad("aa01"), Is.Not.Null);
        Assert.That(cache.TryLoad("aa03"), Is.Not.Null);
    }

    [Test]
    public void DamagedEntry_IsDroppedAndReportedAsMissing()
    {
        using var folder = new TempFolder();
        var cache = new FeatureCache(folder.Path, 1 << 20);
        var path = folder.File("ab/ab99.safetensors", [1, 2, 3]);
        Assert.That(cache.TryLoad("ab99"), Is.Null);
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void Clear_RemovesEverything()
    {
        using var folder = new TempFolder();
        var root = Path.Combine(folder.Path, "cache");
        folder.File("cache/ab/x.safetensors", [0]);
        FeatureCache.Clear(root);
        Assert.That(Directory.Exists(root), Is.False);
        Assert.DoesNotThrow(() => FeatureCache.Clear(root));
    }

    [Test]
    public void NonPositiveLimit_IsRejected()
    {
        using var folder = new TempFolder();
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FeatureCache(folder.Path, 0));
    }
}

public sealed class CacheCommandTests
{
    [Test]
    public void CacheInfoAndClear_WorkOnTheGivenFolder()
    {
        using var folder = new TempFolder();
        folder.File("cache/ab/x.safetensors", new byte[2048]);
        var root = Path.Combine(folder.Path, "cache");
        var (code, output, _) = Uniformaly.Tests.Cli.CliRunner.Run("cache", "info", "--cache-dir", root);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain(root).And.Contain("size:  0.0 MiB"));
        (code, output, _) = Uniformaly.Tests.Cli.CliRunner.Run("cache", "clear", "--cache-dir", root);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(Directory.Exists(root), Is.False);
    }
}

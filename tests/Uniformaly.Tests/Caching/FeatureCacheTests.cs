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
        var (a, b, c) = (FeatureCache.Key("f", [1]), FeatureCache.Key("f", [2]), FeatureCache.Key("f", [3]));
        cache.Store(a, features, attention);
        cache.Store(b, features, attention);
        File.SetLastAccessTimeUtc(Path.Combine(cache.Root, a[..2], a + ".safetensors"), DateTime.UtcNow.AddHours(1));
        cache.Store(c, features, attention);
        Assert.That(cache.SizeBytes, Is.LessThanOrEqualTo(40_000));
        Assert.That(cache.TryLoad(b), Is.Null, "the least recently used entry went");
        Assert.That(cache.TryLoad(a), Is.Not.Null);
        Assert.That(cache.TryLoad(c), Is.Not.Null);
    }

    [Test]
    public void DamagedEntry_IsDroppedAndReportedAsMissing()
    {
        using var folder = new TempFolder();
        using var scope = new DisposeScope();
        var cache = new FeatureCache(folder.Path, 1 << 20);
        var key = FeatureCache.Key("f", [1]);
        cache.Store(key, Tensor.Zeros([2, 2]), Tensor.Zeros([2]));
        var path = Path.Combine(folder.Path, key[..2], key + ".safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);
        Assert.That(cache.TryLoad(key), Is.Null);
        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    public void Clear_RemovesEverythingTheCacheWrote()
    {
        using var folder = new TempFolder();
        using var scope = new DisposeScope();
        var root = Path.Combine(folder.Path, "cache");
        new FeatureCache(root, 1 << 20).Store(FeatureCache.Key("f", [1]), Tensor.Zeros([2, 2]), Tensor.Zeros([2]));
        Assert.That(FeatureCache.Clear(root).Entries, Is.EqualTo(1));
        Assert.That(Directory.Exists(root), Is.False, "the cache created the folder and nothing else is in it");
        Assert.DoesNotThrow(() => FeatureCache.Clear(root));
    }

    [Test]
    public void NonPositiveLimit_IsRejected()
    {
        using var folder = new TempFolder();
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new FeatureCache(folder.Path, 0));
    }
}

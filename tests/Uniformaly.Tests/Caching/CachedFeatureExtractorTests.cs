using NUnit.Framework;
using Uniformaly.Research.Caching;
using Uniformaly.Research.Features;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Caching;

public sealed class CachedFeatureExtractorTests
{
    /// <summary>A stand-in backbone: features and attention are functions of the image, and it counts its images.</summary>
    private sealed class CountingBackbone : IFeatureExtractor
    {
        public int Images { get; private set; }

        public int PatchSize => 1;

        public PatchFeatures Extract(Tensor images)
        {
            Images += (int)images.Size(0);
            using var scope = new DisposeScope();
            var patches = images.Reshape(images.Size(0), 3, 4, 4).Mean(1).Reshape(images.Size(0), 16);
            var features = Tensor.Stack([patches, patches * 2], 2);
            return new PatchFeatures(scope.MoveToOuter(features), scope.MoveToOuter(Functional.Softmax(patches, 1)), 4, 4);
        }
    }

    [Test]
    public void SecondPass_ReadsEveryImageFromTheCache_WithIdenticalValues()
    {
        using var folder = new TempFolder();
        using var scope = new DisposeScope();
        var backbone = new CountingBackbone();
        var cached = new CachedFeatureExtractor(backbone, new FeatureCache(folder.Path, 1 << 20), "fake|layers 1");
        var images = Tensor.Randn([3, 3, 4, 4]);
        using var first = cached.Extract(images);
        using var direct = backbone.Extract(images);
        using var second = cached.Extract(images);
        Assert.That(backbone.Images, Is.EqualTo(3 + 3), "the cached pass did not run the backbone");
        Assert.That((cached.Hits, cached.Misses), Is.EqualTo((3, 3)));
        Assert.That(second.Features.ToArray<float>(), Is.EqualTo(direct.Features.ToArray<float>()));
        Assert.That(second.ClsAttention.ToArray<float>(), Is.EqualTo(direct.ClsAttention.ToArray<float>()));
        Assert.That((second.GridHeight, second.GridWidth), Is.EqualTo((4, 4)));
    }

    [Test]
    public void MixedBatch_RunsOnlyTheMisses_InTheirPlaces()
    {
        using var folder = new TempFolder();
        using var scope = new DisposeScope();
        var backbone = new CountingBackbone();
        var cached = new CachedFeatureExtractor(backbone, new FeatureCache(folder.Path, 1 << 20), "fake");
        var a = Tensor.Randn([1, 3, 4, 4]);
        var b = Tensor.Randn([1, 3, 4, 4]);
        cached.Extract(a).Dispose();
        using var mixed = cached.Extract(Tensor.Cat([b, a], 0));
        Assert.That(backbone.Images, Is.EqualTo(2), "a once, then only b");
        using var expected = backbone.Extract(Tensor.Cat([b, a], 0));
        Assert.That(mixed.Features.ToArray<float>(), Is.EqualTo(expected.Features.ToArray<float>()));
    }

    [Test]
    public void AnotherFingerprint_IsAnotherEntry()
    {
        using var folder = new TempFolder();
        using var scope = new DisposeScope();
        var backbone = new CountingBackbone();
        var cache = new FeatureCache(folder.Path, 1 << 20);
        var images = Tensor.Randn([2, 3, 4, 4]);
        new CachedFeatureExtractor(backbone, cache, "layers 1-3").Extract(images).Dispose();
        new CachedFeatureExtractor(backbone, cache, "layers 3-10").Extract(images).Dispose();
        Assert.That(backbone.Images, Is.EqualTo(4));
    }
}

using Uniformaly.Research.Features;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Caching;

/// <summary>
/// A <see cref="FeatureCache"/> in front of a feature extractor: each image of a batch is looked up by
/// the content of its preprocessed tensor (so a changed file, resize or crop is a new key) under the
/// extractor's fingerprint (weights, layers, attention layer); only the misses go through the
/// extractor, as one smaller batch, and are stored. Sweeps over n, lambda, k, n_nn or the sampler
/// ratio thus run the backbone once per image.
/// </summary>
public sealed class CachedFeatureExtractor(IFeatureExtractor extractor, FeatureCache cache, string fingerprint) : IFeatureExtractor
{
    /// <summary>Images whose features came from the cache, and from the backbone, since construction.</summary>
    public int Hits { get; private set; }

    public int Misses { get; private set; }

    public int PatchSize => extractor.PatchSize;

    public PatchFeatures Extract(Tensor images)
    {
        using var scope = new DisposeScope();
        var batch = (int)images.Size(0);
        var keys = Keys(images);
        var features = new Tensor?[batch];
        var attention = new Tensor?[batch];
        var missing = new List<long>();
        for (var i = 0; i < batch; i++)
        {
            if (cache.TryLoad(keys[i]) is { } hit) (features[i], attention[i]) = hit;
            else missing.Add(i);
        }
        (Hits, Misses) = (Hits + batch - missing.Count, Misses + missing.Count);
        if (missing.Count > 0) ExtractMissing(images, missing, keys, features, attention);
        var patches = features[0]!.Size(0);
        var side = (int)Math.Round(Math.Sqrt(patches));
        if (side * side != patches) throw new InvalidOperationException($"cached features have {patches} patches, not a square grid");
        return new PatchFeatures(scope.MoveToOuter(Tensor.Stack([.. features!], 0)), scope.MoveToOuter(Tensor.Stack([.. attention!], 0)), side, side);
    }

    /// <summary>Runs the extractor on the images not in the cache and stores each one's entry.</summary>
    private void ExtractMissing(Tensor images, List<long> missing, string[] keys, Tensor?[] features, Tensor?[] attention)
    {
        using var indices = Tensor.FromArray(missing.ToArray());
        using var subset = images.IndexSelect(0, indices);
        using var extracted = extractor.Extract(subset);
        for (var j = 0; j < missing.Count; j++)
        {
            var i = (int)missing[j];
            features[i] = extracted.Features.Select(0, j).Contiguous().To(Device.Cpu);
            attention[i] = extracted.ClsAttention.Select(0, j).Contiguous().To(Device.Cpu);
            cache.Store(keys[i], features[i]!, attention[i]!);
        }
    }

    private string[] Keys(Tensor images)
    {
        var bytes = images.To(Device.Cpu, DType.Float32).Contiguous().ToBytes();
        var perImage = bytes.Length / (int)images.Size(0);
        return Enumerable.Range(0, (int)images.Size(0))
            .Select(i => FeatureCache.Key(fingerprint, bytes.AsSpan(i * perImage, perImage))).ToArray();
    }
}

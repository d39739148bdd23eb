using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Imaging;

/// <summary>
/// An <see cref="IImageInput"/> that keeps recently preprocessed images in memory (least recently
/// used first out, within a byte budget), so the points of a sweep decode and resize each image
/// once. An entry is keyed by the file's path, length and write time, so a file changed during a
/// run is read again. Masks, crops and writing pass straight through.
/// </summary>
public sealed class MemoizedImageInput(IImageInput inner, long budgetBytes) : IImageInput
{
    private readonly Dictionary<string, LinkedListNode<(string Key, float[] Pixels)>> _entries = [];
    private readonly LinkedList<(string Key, float[] Pixels)> _recency = new();
    private long _bytes;

    public int ImageSize => inner.ImageSize;

    public Tensor LoadBatch(IReadOnlyList<string> paths)
    {
        var keys = paths.Select(Key).ToList();
        var missing = Enumerable.Range(0, paths.Count).Where(i => !_entries.ContainsKey(keys[i])).ToList();
        if (missing.Count > 0) Remember(missing.Select(i => keys[i]).Distinct().ToList(), missing.Select(i => paths[i]).Distinct().ToList());
        using var scope = new DisposeScope();
        var images = keys.Select(key => Tensor.FromArray(Touch(key), 3, ImageSize, ImageSize)).ToList();
        var batch = scope.MoveToOuter(Tensor.Stack(images, 0));
        Evict(keep: keys.Count);
        return batch;
    }

    /// <summary>Loads the missing files as one batch through the inner input and stores each image.</summary>
    private void Remember(List<string> keys, List<string> paths)
    {
        using var batch = inner.LoadBatch(paths);
        using var onCpu = batch.To(Device.Cpu, DType.Float32);
        var all = onCpu.ToArray<float>();
        var size = 3 * ImageSize * ImageSize;
        for (var i = 0; i < paths.Count; i++)
        {
            var pixels = all.AsSpan(i * size, size).ToArray();
            _entries[keys[i]] = _recency.AddFirst((keys[i], pixels));
            _bytes += pixels.Length * sizeof(float);
        }
    }

    /// <summary>Drops the least recently used images beyond the budget, never the <paramref name="keep"/>
    /// most recent ones (the batch just returned), so a batch larger than the budget still works.</summary>
    private void Evict(int keep)
    {
        while (_bytes > budgetBytes && _recency.Count > keep)
        {
            var oldest = _recency.Last!.Value;
            _recency.RemoveLast();
            _entries.Remove(oldest.Key);
            _bytes -= oldest.Pixels.Length * sizeof(float);
        }
    }

    private float[] Touch(string key)
    {
        var node = _entries[key];
        _recency.Remove(node);
        _recency.AddFirst(node);
        return node.Value.Pixels;
    }

    private static string Key(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? $"{file.FullName}|{file.Length}|{file.LastWriteTimeUtc.Ticks}" : path;
    }

    public byte[] LoadMask(string maskPath, string imagePath) => inner.LoadMask(maskPath, imagePath);

    public byte[] LoadCrop(string path) => inner.LoadCrop(path);

    public bool IsUnreadable(Exception error) => inner.IsUnreadable(error);

    public void SavePng(string path, byte[] rgb) => inner.SavePng(path, rgb);
}

namespace Uniformaly.Research.Data;

/// <summary>One CIFAR image: 32x32 RGB (HWC bytes) with its fine class and, for CIFAR-100, super-class.</summary>
public sealed record CifarImage(int Index, int Label, int SuperClass, byte[] Rgb)
{
    public const int Side = 32;
    public const int PixelBytes = Side * Side * 3;
}

/// <summary>
/// Reads the CIFAR binary releases: cifar-10-batches-bin/{data_batch_1..5,test_batch}.bin (records of
/// 1 label byte + 3072 pixel bytes) and cifar-100-binary/{train,test}.bin (coarse label byte, fine
/// label byte, 3072 pixel bytes). Pixels are stored as planes (1024 R, then G, then B).
/// </summary>
public static class CifarBinary
{
    public static readonly string[] Cifar10Classes =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The folder holding the .bin files: <paramref name="root"/> itself or its release subfolder.</summary>
    public static string ResolveFolder(string root, bool cifar100)
    {
        var sub = cifar100 ? "cifar-100-binary" : "cifar-10-batches-bin";
        var probe = cifar100 ? "test.bin" : "test_batch.bin";
        foreach (var folder in new[] { root, Path.Combine(root, sub) })
            if (File.Exists(Path.Combine(folder, probe))) return folder;
        throw new DatasetException($"no {(cifar100 ? "CIFAR-100" : "CIFAR-10")} binary release under {root} (expected {probe} there or in {sub}/)");
    }

    /// <summary>All images of the train or test split, in file order.</summary>
    public static IReadOnlyList<CifarImage> Read(string folder, bool cifar100, bool train)
    {
        var files = (cifar100, train) switch
        {
            (false, true) => Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin").ToArray(),
            (false, false) => ["test_batch.bin"],
            (true, true) => ["train.bin"],
            (true, false) => ["test.bin"],
        };
        var images = new List<CifarImage>();
        foreach (var file in files) ReadFile(Path.Combine(folder, file), cifar100, images);
        return images;
    }

    private static void ReadFile(string path, bool cifar100, List<CifarImage> into)
    {
        if (!File.Exists(path)) throw new DatasetException($"CIFAR file not found: {path}");
        var labelBytes = cifar100 ? 2 : 1;
        var record = labelBytes + CifarImage.PixelBytes;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0 || bytes.Length % record != 0)
            throw new DatasetException($"{path}: {bytes.Length} bytes is not a whole number of {record}-byte CIFAR records (truncated or not a {(cifar100 ? "CIFAR-100" : "CIFAR-10")} file)");
        for (var offset = 0; offset < bytes.Length; offset += record)
        {
            var fine = bytes[offset + labelBytes - 1];
            var coarse = cifar100 ? bytes[offset] : fine;
            if (fine >= (cifar100 ? 100 : 10) || coarse >= (cifar100 ? 20 : 10))
                throw new DatasetException($"{path}: record {offset / record} has label {fine} (coarse {coarse}), out of range: not a CIFAR file");
            into.Add(new CifarImage(into.Count, fine, coarse, PlanesToHwc(bytes.AsSpan(offset + labelBytes, CifarImage.PixelBytes))));
        }
    }

    private static byte[] PlanesToHwc(ReadOnlySpan<byte> planes)
    {
        const int n = CifarImage.Side * CifarImage.Side;
        var rgb = new byte[CifarImage.PixelBytes];
        for (var i = 0; i < n; i++)
        {
            rgb[3 * i] = planes[i];
            rgb[3 * i + 1] = planes[n + i];
            rgb[3 * i + 2] = planes[2 * n + i];
        }
        return rgb;
    }
}

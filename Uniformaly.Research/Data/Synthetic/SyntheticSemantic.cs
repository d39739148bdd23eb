using Uniformaly.Research.Common;
using Uniformaly.Research.Imaging;

namespace Uniformaly.Research.Data.Synthetic;

/// <summary>
/// Small stand-ins for the semantic datasets, in their real on-disk shapes: CIFAR-10/100 binary
/// releases and ImageFolder trees. Each class has its own colour and stripe orientation, so the
/// classes are tellable apart; everything is seeded.
/// </summary>
public static class SyntheticSemantic
{
    /// <summary>cifar-10-batches-bin/ (5 training batches and test_batch.bin) or cifar-100-binary/
    /// (train.bin, test.bin; fine label = 5 * super-class + i) under <paramref name="root"/>.</summary>
    public static void WriteCifar(string root, bool cifar100, int trainPerClass, int testPerClass, int seed = 0)
    {
        var random = new SplitMix64((ulong)seed);
        var classes = cifar100 ? 20 : 10;
        if (cifar100)
        {
            var folder = Directory.CreateDirectory(Path.Combine(root, "cifar-100-binary")).FullName;
            WriteRecords(Path.Combine(folder, "train.bin"), classes, trainPerClass, true, random);
            WriteRecords(Path.Combine(folder, "test.bin"), classes, testPerClass, true, random);
            return;
        }
        var batches = Directory.CreateDirectory(Path.Combine(root, "cifar-10-batches-bin")).FullName;
        for (var b = 1; b <= 5; b++) WriteRecords(Path.Combine(batches, $"data_batch_{b}.bin"), classes, trainPerClass, false, random);
        WriteRecords(Path.Combine(batches, "test_batch.bin"), classes, testPerClass, false, random);
    }

    /// <summary>ROOT/train/class_XX/*.png and ROOT/test/class_XX/*.png for <paramref name="classes"/> classes.</summary>
    public static void WriteImageFolder(string root, int classes, int trainPerClass, int testPerClass, int size = 32, int seed = 0)
    {
        var random = new SplitMix64((ulong)seed);
        foreach (var (split, count) in new[] { ("train", trainPerClass), ("test", testPerClass) })
            for (var c = 0; c < classes; c++)
                for (var i = 0; i < count; i++)
                    PngWriter.Save(Path.Combine(root, split, $"class_{c:00}", $"{i:000}.png"), new RgbImage(size, size, Paint(c, size, random)));
    }

    private static void WriteRecords(string path, int classes, int perClass, bool cifar100, SplitMix64 random)
    {
        using var stream = File.Create(path);
        for (var c = 0; c < classes; c++)
            for (var i = 0; i < perClass; i++)
            {
                if (cifar100) stream.Write([(byte)c, (byte)(5 * c + i % 5)]);
                else stream.WriteByte((byte)c);
                stream.Write(ToPlanes(Paint(c, CifarImage.Side, random)));
            }
    }

    /// <summary>Class <paramref name="c"/>: its own hue and stripe angle, plus noise.</summary>
    private static byte[] Paint(int c, int size, SplitMix64 random)
    {
        var hue = c * 2.399963; // golden angle: neighbouring classes get distant colours
        var (r, g, b) = (128 + 100 * Math.Cos(hue), 128 + 100 * Math.Cos(hue + 2.094), 128 + 100 * Math.Cos(hue + 4.189));
        var angle = c * Math.PI / 7;
        var pixels = new byte[size * size * 3];
        for (var y = 0; y < size; y++)
        for (var x = 0; x < size; x++)
        {
            var stripe = 0.6 + 0.4 * Math.Sin((x * Math.Cos(angle) + y * Math.Sin(angle)) * 0.8);
            var i = 3 * (y * size + x);
            pixels[i] = Byte(r * stripe + 8 * random.NextGaussian());
            pixels[i + 1] = Byte(g * stripe + 8 * random.NextGaussian());
            pixels[i + 2] = Byte(b * stripe + 8 * random.NextGaussian());
        }
        return pixels;
    }

    private static byte[] ToPlanes(byte[] hwc)
    {
        var n = hwc.Length / 3;
        var planes = new byte[hwc.Length];
        for (var i = 0; i < n; i++)
        {
            planes[i] = hwc[3 * i];
            planes[n + i] = hwc[3 * i + 1];
            planes[2 * n + i] = hwc[3 * i + 2];
        }
        return planes;
    }

    private static byte Byte(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);
}

using Uniformaly.Research.Data;
using Uniformaly.Research.Features;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Torch;
using Uniformaly.Tests.Parity;

namespace Uniformaly.Tests.Evaluation;

/// <summary>
/// Stands in for image decoding and the backbone: each "image" is a tensor filled with its
/// index in the reference (train first, then test), which the extractor maps back to the
/// reference's embedding rows; masks are the reference's.
/// </summary>
public sealed class ReferenceEmbeddings(Research.Checkpoints.StateDict reference) : IImageInput, IFeatureExtractor
{
    private readonly List<string> _order = Order();

    public int ImageSize => 112;

    /// <summary>7 x 7 patches of 112 px images.</summary>
    public int PatchSize => 16;

    public Tensor LoadBatch(IReadOnlyList<string> paths) =>
        Tensor.FromArray(paths.Select(p => (float)_order.IndexOf(Path.GetRelativePath(ParityFixture.DataRoot, p))).ToArray(), paths.Count, 1, 1, 1);

    public PatchFeatures Extract(Tensor images)
    {
        using var scope = new DisposeScope();
        var rows = images.Flatten().ToArray<float>().Select(i => (int)i).ToArray();
        var features = Tensor.Stack(rows.Select(i => Row("features", i)).ToList());
        var attention = Tensor.Stack(rows.Select(i => Row("cls_attention", i)).ToList());
        return new PatchFeatures(scope.MoveToOuter(features), scope.MoveToOuter(attention), 7, 7);
    }

    public byte[] LoadMask(string maskPath, string imagePath)
    {
        var test = _order.IndexOf(Path.GetRelativePath(ParityFixture.DataRoot, imagePath)) - 5;
        return reference["test.masks"].Select(0, test).Flatten().ToArray<float>().Select(v => (byte)v).ToArray();
    }

    public byte[] LoadCrop(string path) => throw new NotSupportedException();

    public bool IsUnreadable(Exception error) => false;

    public void SavePng(string path, byte[] rgb) => throw new NotSupportedException();

    private Tensor Row(string name, int index) =>
        index < 5 ? reference[$"train.{name}"].Select(0, index) : reference[$"test.{name}"].Select(0, index - 5);

    private static List<string> Order()
    {
        var split = MvtecLayoutDataset.Load(ParityFixture.DataRoot, "tile", DatasetKind.Folder);
        var test = ParityFixture.Summary().GetProperty("test_images").EnumerateArray().Select(e => e.GetString()!).ToList();
        return [.. split.Train.Select(s => s.RelativePath), .. test];
    }
}

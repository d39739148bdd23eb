using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Evaluation;
using Uniformaly.Research.Torch;
using Uniformaly.Tests.Parity;

namespace Uniformaly.Tests.Evaluation;

/// <summary>
/// The evaluation loop (dataset listing, batching, fitting, scoring, masks, metrics, files) on the
/// parity dataset, with the reference's embeddings standing in for image decoding and the backbone:
/// the run must reproduce the reference's AUROCs and write complete result files.
/// </summary>
public sealed class EvaluationOnReferenceEmbeddingsTests
{
    [Test]
    public void Run_ReproducesTheReferenceAndWritesResults()
    {
        using var reference = ParityFixture.Reference();
        using var output = new TempFolder();
        var source = new ReferenceEmbeddings(reference);
        var options = new EvaluationOptions
        {
            Dataset = DatasetKind.Folder,
            DataRoot = ParityFixture.DataRoot,
            Detector = ParityFixture.DetectorSettings("binary_nn1"),
            BatchSize = 3,
            OutputFolder = output.Path,
        };
        var result = new DetectionEvaluation(source, source, NullProgress.Instance).Run(options);
        EvaluationWriter.Write(output.Path, result, new JsonObject { ["data_root"] = options.DataRoot });

        var expected = ParityFixture.Summary().GetProperty("settings").GetProperty("binary_nn1");
        var tile = result.Categories.Single();
        Assert.That(tile.Category, Is.EqualTo("tile"));
        Assert.That(tile.TrainImages, Is.EqualTo(5));
        Assert.That(tile.BankSize, Is.EqualTo(expected.GetProperty("bank_size").GetInt64()));
        Assert.That(Math.Round(tile.Metrics.ImageAuroc, 4), Is.EqualTo(Math.Round(expected.GetProperty("image_auroc").GetDouble(), 4)));
        Assert.That(Math.Round(tile.Metrics.PixelAuroc, 4), Is.EqualTo(Math.Round(expected.GetProperty("pixel_auroc").GetDouble(), 4)));
        Assert.That(tile.Metrics.Aupro, Is.InRange(0.0, 1.0));

        var csv = File.ReadAllLines(Path.Combine(output.Path, "scores.csv"));
        Assert.That(csv[0], Is.EqualTo("category,image,anomaly_type,label,score"));
        Assert.That(csv, Has.Length.EqualTo(9));
        Assert.That(csv[1], Does.StartWith("tile,tile/test/good/000.png,good,0,"));
        Assert.That(csv[8], Does.StartWith("tile,tile/test/stain/003.png,stain,1,"));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "metrics.json")));
        var category = metrics.RootElement.GetProperty("categories").GetProperty("tile");
        foreach (var name in EvaluationWriter.MetricNames) Assert.That(category.TryGetProperty(name, out _), Is.True, name);
        Assert.That(category.GetProperty("bank_size").GetInt64(), Is.EqualTo(tile.BankSize));
        Assert.That(File.ReadAllText(Path.Combine(output.Path, "metrics.md")), Does.StartWith("| category | image AUROC |"));
        Assert.That(Directory.GetFiles(output.Path, "*.tmp"), Is.Empty);
    }

    /// <summary>
    /// Stands in for image decoding and the backbone: each "image" is a tensor filled with its
    /// index in the reference (train first, then test), which the embedder maps back to the
    /// reference's embedding rows; masks are the reference's.
    /// </summary>
    private sealed class ReferenceEmbeddings(Research.Checkpoints.StateDict reference) : IImageInput, IPatchEmbedder
    {
        private readonly List<string> _order = Order();

        public int ImageSize => 112;

        public Tensor LoadBatch(IReadOnlyList<string> paths) =>
            Tensor.FromArray(paths.Select(p => (float)_order.IndexOf(Path.GetRelativePath(ParityFixture.DataRoot, p))).ToArray(), paths.Count, 1, 1, 1);

        public PatchEmbedding Embed(Tensor images)
        {
            using var scope = new DisposeScope();
            var rows = images.Flatten().ToArray<float>().Select(i => (int)i).ToArray();
            var features = Tensor.Stack(rows.Select(i => Row("features", i)).ToList());
            var attention = Tensor.Stack(rows.Select(i => Row("cls_attention", i)).ToList());
            return new PatchEmbedding(scope.MoveToOuter(features), scope.MoveToOuter(attention), 7, 7);
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
}

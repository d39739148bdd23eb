using System.Text.Json;
using System.Text.Json.Nodes;
using NUnit.Framework;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Evaluation;
using Uniformaly.Research.Scoring;
using Uniformaly.Research.Settings;
using Uniformaly.Tests.Parity;

namespace Uniformaly.Tests.Evaluation;

/// <summary>
/// The evaluation loop (dataset listing, batching, fitting, scoring, masks, metrics, files) on the
/// parity dataset, with the reference's embeddings standing in for image decoding and the backbone:
/// the run must reproduce the reference's metrics and clusters and write complete result files.
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
        EvaluationWriter.Write(output.Path, result, options.Detector.WriteTo(new SettingValues([])), SettingsFile.About("test"));

        var expected = ParityFixture.Summary().GetProperty("settings").GetProperty("binary_nn1");
        var tile = result.Categories.Single();
        Assert.That(tile.Category, Is.EqualTo("tile"));
        Assert.That(tile.TrainImages, Is.EqualTo(5));
        Assert.That(tile.BankSize, Is.EqualTo(expected.GetProperty("bank_size").GetInt64()));
        var valueError = Tolerances.Detector * ParityFixture.DistanceScale(reference);
        var labels = ParityFixture.Summary().GetProperty("test_images").EnumerateArray().Select(p => (byte)(p.GetString()!.Contains("/good/") ? 0 : 1)).ToArray();
        var masks = reference["test.masks"].ToArray<float>().Select(v => (byte)v).ToArray();
        NumericAssert.Close(tile.Metrics.ImageAuroc, expected.GetProperty("image_auroc").GetDouble(),
            Tolerances.RocAuc(reference["binary_nn1.scores"].ToArray<float>(), labels, valueError), "image AUROC");
        NumericAssert.Close(tile.Metrics.PixelAuroc, expected.GetProperty("pixel_auroc").GetDouble(),
            Tolerances.RocAuc(reference["binary_nn1.maps"].ToArray<float>(), masks, valueError), "pixel AUROC");
        NumericAssert.Close(tile.Metrics.Aupro, expected.GetProperty("aupro").GetDouble(),
            Tolerances.Metric(expected.GetProperty("aupro_rounding").GetDouble(), masks.Length), "AUPRO");

        var csv = File.ReadAllLines(Path.Combine(output.Path, "scores.csv"));
        Assert.That(csv[0], Is.EqualTo("category,image,anomaly_type,label,score"));
        Assert.That(csv, Has.Length.EqualTo(9));
        Assert.That(csv[1], Does.StartWith("tile,tile/test/good/000.png,good,0,"));
        Assert.That(csv[8], Does.StartWith("tile,tile/test/stain/003.png,stain,1,"));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(output.Path, "metrics.json")));
        var category = metrics.RootElement.GetProperty("categories").GetProperty("tile");
        foreach (var name in Research.Metrics.DetectionMetrics.Names) Assert.That(category.TryGetProperty(name, out _), Is.True, name);
        Assert.That(category.GetProperty("bank_size").GetInt64(), Is.EqualTo(tile.BankSize));
        Assert.That(File.ReadAllText(Path.Combine(output.Path, "metrics.md")), Does.StartWith("| category | image AUROC |"));
        Assert.That(Directory.GetFiles(output.Path, "*.tmp"), Is.Empty);
    }
}

public sealed class ClusteringOnReferenceEmbeddingsTests
{
    [Test]
    public void Cluster_UsesTheReferencesTopKFeaturesAndScoresTheClusters()
    {
        using var reference = ParityFixture.Reference();
        using var output = new TempFolder();
        var source = new ReferenceEmbeddings(reference);
        var options = new EvaluationOptions
        {
            Dataset = DatasetKind.Folder,
            DataRoot = ParityFixture.DataRoot,
            Detector = ParityFixture.DetectorSettings("binary_nn1"),
            BatchSize = 4,
            OutputFolder = output.Path,
        };
        var tile = new ClusteringEvaluation(source, source, NullProgress.Instance).Run(options, Research.Scoring.PatchSelector.TopK).Single();

        Assert.That(tile.K, Is.EqualTo(2), "good and stain");
        var expected = reference["binary_nn1.clustering_features"].ToArray<float>();
        var dim = tile.Images[0].Feature.Length;
        NumericAssert.Close(tile.Images.SelectMany(c => c.Feature.Select(v => (float)v)).ToArray(), expected, Tolerances.TopKMean, "clustering features");
        // The reference clusters its own features with the toolkit's seeded k-means (tools/reference_pipeline.py kmeans).
        var clustering = ParityFixture.Summary().GetProperty("clustering");
        NumericAssert.Close(tile.Nmi, clustering.GetProperty("nmi").GetDouble(), Tolerances.Float64Metric(tile.Images.Count), "NMI");
        NumericAssert.Close(tile.Ari, clustering.GetProperty("ari").GetDouble(), Tolerances.Float64Metric(tile.Images.Count), "ARI");
        NumericAssert.Close(tile.F1, clustering.GetProperty("f1").GetDouble(), Tolerances.Float64Metric(tile.Images.Count), "F1");
    }
}

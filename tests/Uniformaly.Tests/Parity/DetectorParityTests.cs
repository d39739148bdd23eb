using NUnit.Framework;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Features;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Parity;

/// <summary>
/// The detector on the reference's own embeddings: bank, kNN, BPM, top k-ratio and maps must give
/// the reference's scores, maps and AUROCs (<see cref="Tolerances.Detector"/>).
/// </summary>
public sealed class DetectorParityTests
{
    [TestCaseSource(typeof(ParityFixture), nameof(ParityFixture.Settings))]
    public void ScoresMapsAndAurocs_MatchTheReference(string setting) => AssertMatchesReference(setting, SearchPrecision.Float32);

    /// <summary>The certified bfloat16 search is exact too: the reference's (faiss) results again.</summary>
    [TestCase("binary_nn1")]
    [TestCase("binary_nn3")]
    public void CertifiedBFloat16Search_MatchesTheReference(string setting) => AssertMatchesReference(setting, SearchPrecision.CertifiedBFloat16);

    private static void AssertMatchesReference(string setting, SearchPrecision precision)
    {
        using var scope = new DisposeScope();
        using var reference = ParityFixture.Reference();
        var settings = ParityFixture.DetectorSettings(setting) with { KnnPrecision = precision };
        var expected = ParityFixture.Summary().GetProperty("settings").GetProperty(setting);

        using var detector = UniformalyDetector.Fit(settings, [Embedding(reference, "train")], Device.Cpu);
        Assert.That(detector.BankSize, Is.EqualTo(expected.GetProperty("bank_size").GetInt64()), "bank size");
        using var output = detector.Predict(Embedding(reference, "test"));

        var scores = output.Scores.ToArray<float>();
        var maps = output.Maps.ToArray<float>();
        NumericAssert.Close(scores, reference[$"{setting}.scores"].ToArray<float>(), Tolerances.Detector, "scores", ParityFixture.DistanceScale(reference));
        NumericAssert.Close(maps, reference[$"{setting}.maps"].ToArray<float>(), Tolerances.Detector, "maps", ParityFixture.DistanceScale(reference));

        var labels = ParityFixture.Summary().GetProperty("test_images").EnumerateArray()
            .Select(p => (byte)(p.GetString()!.Contains("/good/") ? 0 : 1)).ToArray();
        ParityFixture.AssertAurocs(scores, maps, reference, setting, labels, Tolerances.Detector);
    }

    [Test]
    public void SavedDetector_PredictsTheSame()
    {
        using var scope = new DisposeScope();
        using var reference = ParityFixture.Reference();
        using var folder = new TempFolder();
        var settings = ParityFixture.DetectorSettings("binary_nn1");
        float[] before;
        using (var detector = UniformalyDetector.Fit(settings, [Embedding(reference, "train")], Device.Cpu))
        {
            before = detector.Predict(Embedding(reference, "test")).Scores.ToArray<float>();
            detector.Save(folder.Path);
        }
        using var loaded = UniformalyDetector.Load(folder.Path, Device.Cpu);
        Assert.That(loaded.Settings.ToJson(), Is.EqualTo(settings.ToJson()));
        Assert.That(loaded.Predict(Embedding(reference, "test")).Scores.ToArray<float>(), Is.EqualTo(before));
    }

    [Test]
    public void LoadingAFolderWithoutAModel_NamesWhatIsMissing()
    {
        using var folder = new TempFolder();
        var e = Assert.Throws<FileNotFoundException>(() => UniformalyDetector.Load(folder.Path, Device.Cpu));
        Assert.That(e!.Message, Does.Contain("settings.json").And.Contain("uniformaly fit"));
    }

    private static PatchFeatures Embedding(Research.Checkpoints.StateDict reference, string split) =>
        new(reference[$"{split}.features"].Clone(), reference[$"{split}.cls_attention"].Clone(), 7, 7);
}

using NUnit.Framework;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Detector;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Parity;

/// <summary>
/// The whole pipeline from PNG files (decoding, resizing, cropping, normalization, the ViT from a
/// half-precision torch.save checkpoint, BPM, bank, kNN, scoring, maps) against the independent
/// torch + faiss reference: scores, maps and AUROCs within <see cref="Tolerances.Pipeline"/>.
/// </summary>
public sealed class EndToEndParityTests
{
    [TestCaseSource(typeof(ParityFixture), nameof(ParityFixture.Settings))]
    [Category("Slow")]
    public void FromImageFiles_MatchesTheReference(string setting)
    {
        using var scope = new DisposeScope();
        using var reference = ParityFixture.Reference();
        var settings = ParityFixture.DetectorSettings(setting);
        var expected = ParityFixture.Summary().GetProperty("settings").GetProperty(setting);
        var split = MvtecLayoutDataset.Load(ParityFixture.DataRoot, "tile", DatasetKind.Folder);

        using var backend = DetectorBackend.Create(settings, Device.Cpu);
        using var detector = UniformalyDetector.Fit(settings,
            backend.Extract(split.Train.Select(s => s.Path).ToList(), 2, NullProgress.Instance), Device.Cpu);
        Assert.That(detector.BankSize, Is.EqualTo(expected.GetProperty("bank_size").GetInt64()), "bank size");
        using var features = backend.Extract(split.Test.Select(s => s.Path).ToList());
        using var output = detector.Predict(features);

        var scores = output.Scores.ToArray<float>();
        var maps = output.Maps.ToArray<float>();
        NumericAssert.Close(scores, reference[$"{setting}.scores"].ToArray<float>(), Tolerances.Pipeline, "scores", ParityFixture.DistanceScale(reference));
        NumericAssert.Close(maps, reference[$"{setting}.maps"].ToArray<float>(), Tolerances.Pipeline, "maps", ParityFixture.DistanceScale(reference));
        ParityFixture.AssertAurocs(scores, maps, reference, setting, split.Test.Select(s => (byte)s.Label).ToArray(), Tolerances.Pipeline);
    }

    [Test]
    public void Masks_MatchTheReference()
    {
        using var reference = ParityFixture.Reference();
        var split = MvtecLayoutDataset.Load(ParityFixture.DataRoot, "tile", DatasetKind.Folder);
        var input = new Research.Imaging.PreprocessedImageInput(128, 112);
        var expected = reference["test.masks"].ToArray<float>().Select(v => (byte)v).ToArray();
        var actual = split.Test.SelectMany(s => s.MaskPath is { } m ? input.LoadMask(m, s.Path) : new byte[112 * 112]).ToArray();
        Assert.That(actual, Is.EqualTo(expected));
    }
}

using System.Text.Json;
using Uniformaly.Research.Bank;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Metrics;
using Uniformaly.Research.Search;
using Uniformaly.Research.Settings;

namespace Uniformaly.Tests.Parity;

/// <summary>
/// fixtures/parity/, written by tools/reference_pipeline.py (an independent torch + faiss + scipy +
/// sklearn implementation of docs/method.md sections 1, 4-10): a tiny MVTec-layout dataset, a random ViT, the
/// backbone's embeddings, and per setting every test image's score and anomaly map.
/// </summary>
public static class ParityFixture
{
    public static readonly string[] Settings = ["binary_nn1", "soft_nn1", "off_nn1", "binary_nn3"];

    public static string Folder => TestSetup.Fixture("parity");

    public static string DataRoot => Path.Combine(Folder, "data");

    public static string Checkpoint => Path.Combine(Folder, "vit_tiny_p16_d128_fp16.pth");

    public static StateDict Reference() => SafeTensors.Read(Path.Combine(Folder, "reference.safetensors"));

    public static JsonElement Summary() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "reference.json"))).RootElement;

    /// <summary>The detector settings of one reference setting (identity sampler: the bank is every kept patch).</summary>
    public static DetectorSettings DetectorSettings(string setting)
    {
        var s = Summary().GetProperty("settings").GetProperty(setting);
        var common = Summary().GetProperty("common");
        return new DetectorSettings
        {
            Backbone = null,
            Checkpoint = Checkpoint,
            Layers = Enumerable.Range(common.GetProperty("layer_first").GetInt32(),
                common.GetProperty("layer_last").GetInt32() - common.GetProperty("layer_first").GetInt32() + 1).ToArray(),
            AttentionLayer = common.GetProperty("attention_layer").GetInt32(),
            Kernel = common.GetProperty("kernel").GetInt32(),
            Threshold = common.GetProperty("threshold").GetDouble(),
            TopK = common.GetProperty("topk").GetDouble(),
            Resize = common.GetProperty("resize").GetInt32(),
            ImageSize = common.GetProperty("imagesize").GetInt32(),
            Bpm = s.GetProperty("bpm").GetString() switch
            {
                "binary" => BackPatchMaskingMode.Binary,
                "soft" => BackPatchMaskingMode.Soft,
                _ => BackPatchMaskingMode.Off,
            },
            NearestNeighbours = s.GetProperty("nn").GetInt32(),
            Sampler = SamplerKind.Identity,
        };
    }

    /// <summary>max |q|² + max |b|² over the reference's test and train features: the magnitude the
    /// squared distances, and so the scores and maps, are computed from.</summary>
    public static double DistanceScale(Research.Checkpoints.StateDict reference)
    {
        using var scope = new Research.Torch.DisposeScope();
        double Largest(string split) => reference[$"{split}.features"].Pow(2).Sum(-1).Max().Item();
        return Largest("train") + Largest("test");
    }

    /// <summary>The image AUROC and pixel AUROC of our scores and maps against the reference's
    /// (<see cref="Tolerances.RocAuc"/>: only values within rounding of each other can swap).</summary>
    public static void AssertAurocs(float[] scores, float[] maps, Research.Checkpoints.StateDict reference, string setting, byte[] labels, double valueTolerance)
    {
        var valueError = valueTolerance * DistanceScale(reference);
        var expected = Summary().GetProperty("settings").GetProperty(setting);
        var masks = reference["test.masks"].ToArray<float>().Select(v => (byte)v).ToArray();
        var (expectedScores, expectedMaps) = (reference[$"{setting}.scores"].ToArray<float>(), reference[$"{setting}.maps"].ToArray<float>());
        NumericAssert.Close(BinaryMetrics.RocAuc(scores, labels), expected.GetProperty("image_auroc").GetDouble(),
            Tolerances.RocAuc(expectedScores, labels, valueError), "image AUROC");
        NumericAssert.Close(BinaryMetrics.RocAuc(maps, masks), expected.GetProperty("pixel_auroc").GetDouble(),
            Tolerances.RocAuc(expectedMaps, masks, valueError), "pixel AUROC");
    }
}

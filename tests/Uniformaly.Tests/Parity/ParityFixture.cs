using System.Text.Json;
using Uniformaly.Research.Checkpoints;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Detector;

namespace Uniformaly.Tests.Parity;

/// <summary>
/// fixtures/parity/, written by tools/reference_pipeline.py (an independent torch + faiss + scipy +
/// sklearn implementation of SPEC sections 1, 4-10): a tiny MVTec-layout dataset, a random ViT, the
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
            Masking = s.GetProperty("bpm").GetString() switch
            {
                "binary" => BackPatchMaskingMode.Binary,
                "soft" => BackPatchMaskingMode.Soft,
                _ => BackPatchMaskingMode.Off,
            },
            NearestNeighbours = s.GetProperty("nn").GetInt32(),
            Sampler = SamplerKind.Identity,
        };
    }

    /// <summary>Elementwise |a - b| &lt;= 1e-4 |b| + 1e-6 max|b|: relative error under 1e-4, with an
    /// absolute floor for values near 0 (map borders).</summary>
    public static void AssertClose(float[] actual, float[] expected, string what)
    {
        NUnit.Framework.Assert.That(actual, NUnit.Framework.Has.Length.EqualTo(expected.Length), what);
        var scale = expected.Max(v => Math.Abs((double)v));
        for (var i = 0; i < actual.Length; i++)
            NUnit.Framework.Assert.That(actual[i], NUnit.Framework.Is.EqualTo((double)expected[i]).Within(1e-4 * Math.Abs(expected[i]) + 1e-6 * scale), $"{what}[{i}]");
    }
}

using System.Text.Json;

namespace Uniformaly.Tests.Metrics;

/// <summary>fixtures/metrics/metrics.json, written by tools/make_metric_fixtures.py (sklearn, scipy).</summary>
public static class MetricFixture
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(TestSetup.Fixture("metrics", "metrics.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    public static JsonElement Case(string section, string name) =>
        Root.GetProperty(section).EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    public static byte[] Bytes(JsonElement e) => e.EnumerateArray().Select(v => (byte)v.GetInt32()).ToArray();

    public static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    public static double[][] Matrix(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
}

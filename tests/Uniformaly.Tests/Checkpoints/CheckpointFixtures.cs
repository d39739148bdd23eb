using System.Text.Json;
using NUnit.Framework;
using Uniformaly.Research.Torch;

namespace Uniformaly.Tests.Checkpoints;

/// <summary>The committed checkpoint fixtures and the exact tensors PyTorch recorded for them
/// (tools/make_checkpoint_fixtures.py → fixtures/checkpoints/expected.json).</summary>
internal static class CheckpointFixtures
{
    public sealed record Expected(DType DType, long[] Shape, long[] Strides, double[] Values);

    private static readonly Lazy<Dictionary<string, Dictionary<string, Expected>>> All = new(Load);

    public static string Path(string name) => TestSetup.Fixture("checkpoints", name);

    /// <summary>Tensors of one fixture file, keyed by their raw path of dict keys joined with '/'.</summary>
    public static Dictionary<string, Expected> Tensors(string file) => All.Value[file];

    /// <summary>Asserts dtype, shape and every element (exactly) of <paramref name="actual"/>.</summary>
    public static void AssertTensor(Tensor actual, Expected expected, string what)
    {
        Assert.That(actual.DType, Is.EqualTo(expected.DType), $"{what} dtype");
        Assert.That(actual.Shape, Is.EqualTo(expected.Shape), $"{what} shape");
        Assert.That(Values(actual), Is.EqualTo(expected.Values), $"{what} values");
    }

    /// <summary>Row-major element values widened to double (exact for every stored dtype here).</summary>
    public static double[] Values(Tensor t)
    {
        if (t.DType is DType.Int64 or DType.Int32 or DType.UInt8 or DType.Bool)
        {
            using var asLong = t.To(DType.Int64);
            return asLong.ToArray<long>().Select(v => (double)v).ToArray();
        }
        using var asDouble = t.To(DType.Float64);
        return asDouble.ToArray<double>();
    }

    private static Dictionary<string, Dictionary<string, Expected>> Load()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Path("expected.json")));
        return json.RootElement.EnumerateObject().ToDictionary(
            file => file.Name,
            file => file.Value.EnumerateObject().ToDictionary(t => t.Name, t => Parse(t.Value)));
    }

    private static Expected Parse(JsonElement e) => new(
        DTypeExtensions.Parse(e.GetProperty("dtype").GetString()!),
        e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
        e.GetProperty("strides").EnumerateArray().Select(d => d.GetInt64()).ToArray(),
        e.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray());
}

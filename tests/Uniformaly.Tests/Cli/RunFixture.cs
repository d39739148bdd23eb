using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NUnit.Framework;

namespace Uniformaly.Tests.Cli;

/// <summary>
/// fixtures/runs/expected.json, written by tools/make_run_fixtures.py: what the reference pipeline
/// computes for the command-line runs of RunCommandTests, ClusterCommandTests and SemanticRunTests,
/// on the same stand-in datasets (recorded by their SHA-256).
/// </summary>
public static class RunFixture
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(TestSetup.Fixture("runs", "expected.json"))));

    public static JsonElement Root => Document.Value.RootElement;

    /// <summary>The `uniformaly synth` arguments of a section ("run", "cluster").</summary>
    public static string[] SynthArgs(string section) =>
        Root.GetProperty(section).GetProperty("synth").EnumerateArray().Select(a => a.GetString()!).ToArray();

    /// <summary>Writes the stand-in dataset of the "run" section (`uniformaly synth`) into <paramref name="folder"/>.</summary>
    public static void WriteRunData(string folder)
    {
        var (code, _, error) = CliRunner.Run(["synth", "--out", folder, .. SynthArgs("run")]);
        Assert.That(code, Is.EqualTo(0), error);
    }

    /// <summary>Fails unless <paramref name="root"/> holds the files the fixture was computed from.</summary>
    public static void AssertSameData(string root, JsonElement section)
    {
        Assert.That(TreeSha256(root), Is.EqualTo(section.GetProperty("sha256").GetString()),
            "the stand-in dataset differs from the one the fixture was made from: rerun tools/make_run_fixtures.py if the generator changed on purpose");
        NumericAssert.Close(Root.GetProperty("pipeline_tolerance").GetDouble(), Tolerances.Pipeline, Tolerances.Recomputed,
            "the Tolerances.Pipeline the fixture's metric bounds were computed for (else rerun tools/make_run_fixtures.py)", Tolerances.Pipeline);
    }

    /// <summary>Our scores (image -> score) against the reference's, relative to its distance scale.</summary>
    public static void AssertScores(IReadOnlyDictionary<string, double> ours, JsonElement expected, string what)
    {
        var reference = expected.GetProperty("scores").EnumerateObject().ToList();
        Assert.That(ours.Keys, Is.EquivalentTo(reference.Select(p => p.Name)), $"{what}: scored images");
        NumericAssert.Close(reference.Select(p => (float)ours[p.Name]).ToArray(), reference.Select(p => (float)p.Value.GetDouble()).ToArray(),
            Tolerances.Pipeline, $"{what} scores",
            expected.GetProperty("distance_scale").GetDouble());
    }

    /// <summary>Every metric the fixture has for a run against ours in metrics.json, each within its recorded bound.</summary>
    public static void AssertMetrics(JsonElement ours, JsonElement expected, int values, string what)
    {
        foreach (var metric in expected.GetProperty("metrics").EnumerateObject())
            NumericAssert.Close(ours.GetProperty(metric.Name).GetDouble(), metric.Value.GetProperty("value").GetDouble(),
                Tolerances.Metric(metric.Value.GetProperty("rounding").GetDouble(), values), $"{what} {metric.Name}");
    }

    /// <summary>scores.csv as (image -> score) for one category.</summary>
    public static Dictionary<string, double> Scores(string scoresCsv, string category) =>
        File.ReadAllLines(scoresCsv).Skip(1).Select(l => l.Split(','))
            .Where(f => f[0] == category)
            .ToDictionary(f => f[1], f => double.Parse(f[4], CultureInfo.InvariantCulture));

    /// <summary>SHA-256 over every file's relative path and bytes, in ordinal path order (as the tool computes it).</summary>
    public static string TreeSha256(string root)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.GetFiles(root, "*", SearchOption.AllDirectories)
                     .Select(f => Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/')).Order(StringComparer.Ordinal))
        {
            sha.AppendData(Encoding.UTF8.GetBytes(file + "\n"));
            sha.AppendData(File.ReadAllBytes(Path.Combine(root, file)));
        }
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}

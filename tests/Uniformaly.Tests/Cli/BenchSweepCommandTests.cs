using System.Text.Json;
using NUnit.Framework;

namespace Uniformaly.Tests.Cli;

/// <summary><c>uniformaly bench sweep</c> on a tiny generated dataset: JSON shape, and the sweep's backbone runs once per image.</summary>
public sealed class BenchSweepCommandTests
{
    [Test]
    [Category("Slow")]
    public void BenchSweep_TimesASingleRunAndTheSweep()
    {
        var (code, output, error) = CliRunner.Run("bench", "sweep", "--points", "3", "--train", "2", "--test-good", "1", "--per-defect", "1",
            "--size", "64", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.That(root.GetProperty("points").GetInt32(), Is.EqualTo(3));
        Assert.That(root.GetProperty("categories").GetInt32(), Is.EqualTo(2));
        Assert.That(root.GetProperty("images_per_category").GetInt32(), Is.EqualTo(2 + 1 + 3));
        Assert.That(root.GetProperty("sweep_backbone_images").GetInt32(), Is.EqualTo(2 * 6), "three points, one backbone pass per image");
        var (single, sweep) = (root.GetProperty("single_seconds").GetDouble(), root.GetProperty("sweep_seconds").GetDouble());
        Assert.That(single, Is.GreaterThan(0));
        NumericAssert.Close(root.GetProperty("ratio").GetDouble(), sweep / single, Tolerances.Recomputed, "ratio", scale: sweep / single);
    }

    [Test]
    public void BenchSweep_TooManyPoints_FailsWithAMessage()
    {
        var (code, _, error) = CliRunner.Run("bench", "sweep", "--points", "8");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("--points must be 1..7"));
    }
}

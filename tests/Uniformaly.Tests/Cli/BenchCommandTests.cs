using System.Text.Json;
using NUnit.Framework;

namespace Uniformaly.Tests.Cli;

/// <summary><c>uniformaly bench knn</c> and <c>bench vit</c> on tiny problems: JSON shape and consistent figures.</summary>
public sealed class BenchCommandTests
{
    [Test]
    public void BenchKnn_PrintsTheMedianAndTheGemmRate()
    {
        var (code, output, error) = CliRunner.Run("bench", "knn", "--bank", "2048", "--queries", "16", "--dim", "32", "--nn", "3", "--repeats", "3", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.That(root.GetProperty("bank").GetInt64(), Is.EqualTo(2048));
        Assert.That(root.GetProperty("nn").GetInt32(), Is.EqualTo(3));
        Assert.That(root.GetProperty("chunk_rows").GetInt64(), Is.EqualTo(2048));
        var seconds = root.GetProperty("seconds_per_batch").GetDouble();
        Assert.That(seconds, Is.GreaterThan(0));
        Assert.That(root.GetProperty("queries_differing_from_float32").ValueKind, Is.EqualTo(JsonValueKind.Null), "float32 is its own reference");
        var gflops = 2.0 * 16 * 2048 * 32 / seconds / 1e9;
        NumericAssert.Close(root.GetProperty("gflops").GetDouble(), gflops, Tolerances.Recomputed, "GFLOP/s", scale: gflops);
    }

    /// <summary>The certified mode reports how many queries its proof sent back to float32: on
    /// standard-normal data with 8 candidates, almost none.</summary>
    [Test]
    [Category("Slow")]
    public void BenchKnn_Bf16_ReportsTheQueriesSearchedAgain()
    {
        var (code, output, error) = CliRunner.Run("bench", "knn", "--bank", "4096", "--queries", "64", "--dim", "64", "--knn-precision", "bf16", "--repeats", "3", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using var json = JsonDocument.Parse(output);
        Assert.That(json.RootElement.GetProperty("implementation").GetString(), Does.Contain("CertifiedBFloat16"));
        Assert.That(json.RootElement.GetProperty("searched_again_per_batch").GetDouble(), Is.InRange(0.0, 64 * 0.1));
        var stages = new[] { "ranking_seconds", "measurement_seconds", "proof_seconds", "fallback_seconds" }
            .Select(name => json.RootElement.GetProperty(name).GetDouble()).ToArray();
        Assert.That(stages, Is.All.GreaterThanOrEqualTo(0));
        Assert.That(stages[0], Is.GreaterThan(0).And.LessThanOrEqualTo(json.RootElement.GetProperty("seconds_per_batch").GetDouble() * 1.5), "ranking");
        Assert.That(json.RootElement.GetProperty("queries_differing_from_float32").GetInt64(), Is.Zero, "the same-run float32 search's neighbours");
    }

    /// <summary>A small streaming bank build: the picks' byte count follows from the rows, the
    /// fraction from the rate and the measured bandwidth, and the peak memory stays within the bound.</summary>
    [Test]
    [Category("Slow")]
    public void BenchCoreset_ReportsPicksBandwidthAndMemory()
    {
        var (code, output, error) = CliRunner.Run("bench", "coreset", "--rows", "3000", "--dim", "32", "--ratio", "0.1", "--batch-rows", "100",
            "--memory-mb", "0", "--full-scale-rows", "30000", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using var json = JsonDocument.Parse(output);
        var r = json.RootElement;
        Assert.That(r.GetProperty("picks").GetInt64(), Is.EqualTo(300));
        Assert.That(r.GetProperty("bytes_per_pick").GetInt64(), Is.EqualTo(3008 * (128 * 4 + 12)));
        var rate = r.GetProperty("pick_gb_per_second").GetDouble();
        Assert.That(rate, Is.EqualTo(3008 * (128 * 4 + 12) * 300 / r.GetProperty("pick_seconds").GetDouble() / 1e9).Within(1e-6).Percent);
        var bandwidth = Math.Max(r.GetProperty("read_bandwidth_gb_per_second").GetDouble(), r.GetProperty("triad_bandwidth_gb_per_second").GetDouble());
        Assert.That(r.GetProperty("bandwidth_fraction").GetDouble(), Is.EqualTo(rate / bandwidth).Within(1e-6).Percent);
        Assert.That(r.GetProperty("spilled_rows").GetInt64(), Is.GreaterThan(2900), "a zero budget spills every full block");
        Assert.That(r.GetProperty("peak_rss_bytes").GetInt64(),
            Is.LessThanOrEqualTo(r.GetProperty("base_rss_bytes").GetInt64() + r.GetProperty("memory_bound_bytes").GetInt64()), "peak memory beyond the bound");
        Assert.That(r.GetProperty("full_scale_seconds_estimate").GetDouble(), Is.GreaterThan(r.GetProperty("build_seconds").GetDouble() * 10));

        (code, _, error) = CliRunner.Run("bench", "coreset", "--rows", "0");
        Assert.That(code, Is.EqualTo(2), "a usage error");
        Assert.That(error, Does.Contain("--rows: '0' is not a whole number from 1"));
    }

    [Test]
    [Category("Slow")]
    public void BenchKnn_BankOnHost_TimesTheStreamingSearch()
    {
        var (code, output, error) = CliRunner.Run("bench", "knn", "--bank", "3000", "--queries", "16", "--dim", "32", "--bank-on-host", "--chunk-rows", "700", "--repeats", "3", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using var json = JsonDocument.Parse(output);
        Assert.That(json.RootElement.GetProperty("implementation").GetString(), Does.Contain("streamed from the host"));
        Assert.That(json.RootElement.GetProperty("chunk_rows").GetInt64(), Is.EqualTo(700));
        (code, _, error) = CliRunner.Run("bench", "knn", "--bank", "64", "--queries", "4", "--dim", "8", "--bank-on-host", "--knn-precision", "bf16");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--bank-on-host searches in float32 only: leave out --knn-precision bf16"));
    }

    [Test]
    public void BenchKnn_BadPrecision_FailsWithAMessage()
    {
        var (code, _, error) = CliRunner.Run("bench", "knn", "--bank", "64", "--queries", "4", "--dim", "8", "--knn-precision", "int4");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--knn-precision: 'int4' is not float32 or bf16"));
        (code, _, error) = CliRunner.Run("bench", "knn", "--precision", "bf16");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("did you mean --knn-precision instead of --precision?"));
    }

    [Test]
    public void BenchKnn_CudaWithoutCuda_FailsWithAMessage()
    {
        Cuda.RequireAbsent();
        var (code, _, error) = CliRunner.Run("bench", "knn", "--bank", "64", "--queries", "4", "--dim", "8", "--device", "cuda");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("CUDA is not available"));
    }

    [Test]
    [Category("Slow")]
    public void BenchVit_PrintsTheMedianSecondsPerImage()
    {
        var (code, output, error) = CliRunner.Run("bench", "vit", "--arch", "vit_small", "--patch", "16", "--imagesize", "32", "--batch-size", "2", "--repeats", "3", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.That(root.GetProperty("arch").GetString(), Is.EqualTo("vit_small"));
        Assert.That(root.GetProperty("image_size").GetInt32(), Is.EqualTo(32));
        Assert.That(root.GetProperty("batch").GetInt32(), Is.EqualTo(2));
        Assert.That(root.GetProperty("repeats").GetInt32(), Is.EqualTo(3));
        Assert.That(root.GetProperty("seconds_per_image").GetDouble(), Is.GreaterThan(0));
        // The forward's GEMM rate beside the same run's sgemm rates, and the fraction of the best of them.
        var forward = root.GetProperty("forward_gflops").GetDouble();
        var rates = root.GetProperty("sgemm_model_shapes_gflops").EnumerateObject().Select(p => p.Value.GetDouble())
            .Concat(root.GetProperty("sgemm_square_gflops").EnumerateObject().Select(p => p.Value.GetDouble())).ToList();
        Assert.That(root.GetProperty("sgemm_model_shapes_gflops").TryGetProperty("libtorch", out _), "libtorch's sgemm is always timed");
        Assert.That(forward, Is.GreaterThan(0));
        Assert.That(root.GetProperty("fraction_of_best_sgemm").GetDouble(), Is.EqualTo(forward / rates.Max()).Within(1e-9));
        Assert.That(root.GetProperty("precision").GetString(), Is.EqualTo("float32"));
    }

    [Test]
    [Category("Slow")]
    public void BenchVit_Patch8_ReportsTheArchitectureAndBatch()
    {
        var (code, output, error) = CliRunner.Run("bench", "vit", "--arch", "vit_small", "--patch", "8", "--imagesize", "32", "--batch-size", "3", "--repeats", "1", "--warmup", "0", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.That(root.GetProperty("patch").GetInt32(), Is.EqualTo(8));
        Assert.That(root.GetProperty("batch").GetInt32(), Is.EqualTo(3));
        Assert.That(root.GetProperty("device").GetString(), Is.EqualTo("cpu"));
        Assert.That(root.GetProperty("seconds_per_image").GetDouble(), Is.GreaterThan(0).And.LessThan(60));
    }

    [TestCase("--patch", "7", "--patch: '7' is not 8 or 16")]
    [TestCase("--batch-size", "0", "--batch-size: '0' is not a whole number from 1 to 4096")]
    [TestCase("--imagesize", "40", "--imagesize: 40 is not a multiple of --patch 16")]
    [TestCase("--repeats", "0", "--repeats: '0' is not a whole number from 1 to 2147483647")]
    [TestCase("--gemm", "mkl", "--gemm: 'mkl' is not onednn or libtorch")]
    [TestCase("--backbone-precision", "fp16", "--backbone-precision: 'fp16' is not float32 or bf16")]
    public void BenchVit_OutOfRangeOption_FailsWithAMessage(string option, string value, string message)
    {
        // A 32-pixel input keeps the cases that would run cheap; --imagesize replaces it.
        string[] size = option == "--imagesize" ? [] : ["--imagesize", "32"];
        var (code, _, error) = CliRunner.Run(["bench", "vit", "--arch", "vit_small", .. size, option, value]);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain(message));
    }

    [Test]
    public void BenchVit_UnknownArchitecture_FailsWithAMessage()
    {
        var (code, _, error) = CliRunner.Run("bench", "vit", "--arch", "vit_huge", "--imagesize", "32");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--arch: 'vit_huge' is not one of vit_small, vit_base, vit_large, dinov2_vits14,"));
    }

    /// <summary>DINOv2 and DINOv3 backbones are timed with their own patch (14 and 16) and tokens.</summary>
    [TestCase("dinov2_vits14_reg", 28, 14)]
    [TestCase("dinov3_vits16plus", 32, 16)]
    [Category("Slow")]
    public void BenchVit_ADinov2OrDinov3Backbone_RunsWithItsOwnPatch(string arch, int size, int patch)
    {
        var (code, output, error) = CliRunner.Run("bench", "vit", "--arch", arch, "--imagesize", $"{size}", "--repeats", "1", "--warmup", "0", "--square", "64", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.That(root.GetProperty("arch").GetString(), Is.EqualTo(arch));
        Assert.That(root.GetProperty("patch").GetInt32(), Is.EqualTo(patch));
        Assert.That(root.GetProperty("forward_gflops").GetDouble(), Is.GreaterThan(0));
    }

    [Test]
    public void BenchVit_AnImageSizeOffTheBackbonesPatch_FailsWithAMessage()
    {
        var (code, _, error) = CliRunner.Run("bench", "vit", "--arch", "dinov2_vits14", "--imagesize", "32");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--imagesize: 32 is not a multiple of dinov2_vits14's patch 14"));
    }
}

public sealed class BenchEndToEndTests
{
    [Test]
    [Category("Slow")]
    public void BenchE2e_ReportsThroughputAndPeakMemory()
    {
        var (code, stdout, error) = CliRunner.Run("bench", "e2e", "--train", "3", "--test", "5", "--size", "64", "--json",
            "--checkpoint", Parity.ParityFixture.Checkpoint, "--layers", "1-3", "--resize", "64", "--imagesize", "64", "--kernel", "3");
        Assert.That(code, Is.EqualTo(0), error);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.That(root.GetProperty("train_images").GetInt32(), Is.EqualTo(3));
        Assert.That(root.GetProperty("test_images").GetInt32(), Is.EqualTo(2 + 3), "2 normal, one per defect type");
        Assert.That(root.GetProperty("fit_images_per_second").GetDouble(), Is.GreaterThan(0));
        Assert.That(root.GetProperty("predict_images_per_second").GetDouble(), Is.GreaterThan(0));
        Assert.That(root.GetProperty("peak_memory_megabytes").GetDouble(), Is.GreaterThan(10));
    }
}

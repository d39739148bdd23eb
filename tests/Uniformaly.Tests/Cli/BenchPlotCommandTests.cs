using NUnit.Framework;
using Uniformaly.Tests.Visualization;

namespace Uniformaly.Tests.Cli;

/// <summary><c>uniformaly bench plot</c>: charts from what `bench knn|vit --json` and the reference scripts print.</summary>
public sealed class BenchPlotCommandTests
{
    [Test]
    public void Plot_ChartsKnnAgainstBankSize_AndVitTimes_FromArraysAndJsonLines()
    {
        using var folder = new TempFolder();
        // `bench knn --json` appended twice, and faiss_knn.py's output (no chunk_rows, no searched_again_per_batch).
        var ours = folder.File("ours.jsonl", System.Text.Encoding.UTF8.GetBytes(
            Knn("uniformaly kNN Float32", 16384, 0.05) + "\n" + Knn("uniformaly kNN Float32", 65536, 0.2) + "\n"));
        var reference = folder.File("faiss.json", System.Text.Encoding.UTF8.GetBytes(
            "[" + Knn("faiss IndexFlatL2", 16384, 0.07, withChunk: false) + "," + Knn("faiss IndexFlatL2", 65536, 0.26, withChunk: false) + "]"));
        var vit = folder.File("vit.json", System.Text.Encoding.UTF8.GetBytes(
            """{"implementation": "PyTorch eager", "device": "cpu", "arch": "vit_base", "patch": 16, "image_size": 224, "threads": 2, "batch": 1, "seconds_per_image": 0.27}"""));
        var output = Path.Combine(folder.Path, "charts");
        var (code, stdout, error) = CliRunner.Run("bench", "plot", "--json", ours, reference, vit, "--out", output);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(stdout, Does.Contain("knn_cpu_d768_q784_nn1_t2.png|svg").And.Contain("vit_cpu_224px_t2.png|svg"));
        FigureFiles.AssertReadable(Path.Combine(output, "knn_cpu_d768_q784_nn1_t2"), 820, 460,
            "Exact kNN on cpu, 2 threads: D = 768, 784 queries", "memory bank rows M", "GFLOP/s", "16,384", "65,536", "faiss IndexFlatL2", "uniformaly kNN Float32");
        FigureFiles.AssertReadable(Path.Combine(output, "vit_cpu_224px_t2"), 820, 460, "ViT forward on cpu", "time per image (ms)", "ViT-B/16", "PyTorch eager");
    }

    [Test]
    public void Plot_BadFiles_NameTheFileAndTheMeasurement()
    {
        using var folder = new TempFolder();
        var output = Path.Combine(folder.Path, "charts");
        var (code, _, error) = CliRunner.Run("bench", "plot", "--json", Path.Combine(folder.Path, "missing.json"), "--out", output);
        Assert.That((code, error), Is.EqualTo((1, $"error: --json: {Path.Combine(folder.Path, "missing.json")} not found\n")));
        var broken = folder.File("broken.json", "{\"bank\": "u8.ToArray());
        (code, _, error) = CliRunner.Run("bench", "plot", "--json", broken, "--out", output);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain($"{broken}: not JSON"));
        var unknown = folder.File("unknown.json", "[{\"implementation\": \"x\"}]"u8.ToArray());
        (code, _, error) = CliRunner.Run("bench", "plot", "--json", unknown, "--out", output);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain($"{unknown}: measurement 1: neither a kNN"));
        var noTime = folder.File("zero.json", System.Text.Encoding.UTF8.GetBytes(Knn("x", 1024, 0)));
        (code, _, error) = CliRunner.Run("bench", "plot", "--json", noTime, "--out", output);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(error, Does.Contain("measurement 1: needs positive bank, queries, dim and seconds_per_batch"));
        Assert.That(Directory.Exists(output), Is.False, "nothing written");
    }

    private static string Knn(string implementation, long bank, double seconds, bool withChunk = true) =>
        $$"""{"implementation": "{{implementation}}", "device": "cpu", "bank": {{bank}}, "queries": 784, "dim": 768, "nn": 1, "threads": 2, "repeats": 5, {{(withChunk ? "\"chunk_rows\": 5461, \"searched_again_per_batch\": 0, " : "")}}"seconds_per_batch": {{seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""";
}

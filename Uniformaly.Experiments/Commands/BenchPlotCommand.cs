using System.CommandLine;
using System.Text.Json;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Models;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Experiments.Commands;

/// <summary>
/// <c>uniformaly bench plot</c>: charts (PNG and SVG) from the JSON that `bench knn --json`,
/// `bench vit --json`, tools/bench/faiss_knn.py and tools/bench/vit_forward.py print. A file holds
/// one object, an array of objects, or one object per line (output appended with `>>`).
/// </summary>
public static class BenchPlotCommand
{
    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Command Create()
    {
        var json = new Option<string[]>("--json") { Description = "JSON files of measurements", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--out") { Description = "Folder for the charts", Required = true };
        var command = new Command("plot", "Chart kNN throughput against bank size and ViT forward times from the JSON the bench commands print")
        {
            json, output,
        };
        command.SetAction(parse =>
        {
            var (knn, vit) = Read(parse.GetValue(json)!);
            var folder = Path.GetFullPath(parse.GetValue(output)!);
            foreach (var figure in BenchmarkCharts.Knn(knn).Concat(BenchmarkCharts.Vit(vit)))
            {
                using var plot = figure.Plot;
                var (png, _) = Figure.Write(plot, Path.Combine(folder, figure.Name), BenchmarkCharts.Width, BenchmarkCharts.Height);
                Console.WriteLine($"{Path.ChangeExtension(png, null)}.png|svg");
            }
            return 0;
        });
        return command;
    }

    /// <summary>Every measurement in the files: kNN ones carry seconds_per_batch, ViT ones seconds_per_image.</summary>
    private static (List<KnnBenchmarkResult> Knn, List<VitBenchmarkResult> Vit) Read(IEnumerable<string> files)
    {
        var (knn, vit) = (new List<KnnBenchmarkResult>(), new List<VitBenchmarkResult>());
        foreach (var file in files)
        {
            var entries = Entries(file);
            for (var i = 0; i < entries.Count; i++)
            {
                var where = $"{file}: measurement {i + 1}";
                if (entries[i].TryGetProperty("seconds_per_batch", out _)) knn.Add(Check(entries[i].Deserialize<KnnBenchmarkResult>(SnakeCase)!, where));
                else if (entries[i].TryGetProperty("seconds_per_image", out _)) vit.Add(Check(entries[i].Deserialize<VitBenchmarkResult>(SnakeCase)!, where));
                else throw new ArgumentException($"{where}: neither a kNN (seconds_per_batch) nor a ViT (seconds_per_image) measurement");
            }
        }
        if (knn.Count + vit.Count == 0) throw new ArgumentException("--json: the files hold no measurements");
        return (knn, vit);
    }

    private static List<JsonElement> Entries(string file)
    {
        if (!File.Exists(file)) throw new ArgumentException($"--json: {file} not found");
        var text = File.ReadAllText(file).Trim();
        try
        {
            if (text.StartsWith('[')) return [.. JsonDocument.Parse(text).RootElement.EnumerateArray().Select(e => e.Clone())];
            return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{file}: not JSON (one object, an array of objects, or one object per line): {e.Message}");
        }
    }

    private static KnnBenchmarkResult Check(KnnBenchmarkResult r, string where)
    {
        Require(!string.IsNullOrEmpty(r.Implementation) && !string.IsNullOrEmpty(r.Device), where, "needs implementation and device");
        Require(r.Bank > 0 && r.Queries > 0 && r.Dim > 0 && r.SecondsPerBatch > 0, where, "needs positive bank, queries, dim and seconds_per_batch");
        return r;
    }

    private static VitBenchmarkResult Check(VitBenchmarkResult r, string where)
    {
        Require(!string.IsNullOrEmpty(r.Implementation) && !string.IsNullOrEmpty(r.Device) && !string.IsNullOrEmpty(r.Arch), where, "needs implementation, device and arch");
        Require(r.Patch > 0 && r.ImageSize > 0 && r.SecondsPerImage > 0, where, "needs positive patch, image_size and seconds_per_image");
        return r;
    }

    private static void Require(bool condition, string where, string what)
    {
        if (!condition) throw new ArgumentException($"{where}: {what}");
    }
}

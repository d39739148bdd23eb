using System.CommandLine;
using Uniformaly.Research.Detection;
using Uniformaly.Research.Evaluation;
using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly bench knn|vit|e2e|sweep|plot</c>: microbenchmarks of the detector's hot loops, and their charts.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Microbenchmarks of the detector's hot loops");
        command.Subcommands.Add(Knn());
        command.Subcommands.Add(Vit());
        command.Subcommands.Add(EndToEnd());
        command.Subcommands.Add(BenchSweepCommand.Create());
        command.Subcommands.Add(BenchCoresetCommand.Create());
        command.Subcommands.Add(BenchPlotCommand.Create());
        return command;
    }

    /// <summary>Times `run` on a generated synthetic category: fit and predict images/second, peak memory.</summary>
    private static Command EndToEnd()
    {
        var train = new Option<int>("--train") { Description = "training images", DefaultValueFactory = _ => 100 };
        var test = new Option<int>("--test") { Description = "test images (40 % normal, the rest split over 3 defect types)", DefaultValueFactory = _ => 100 };
        var size = new Option<int>("--size") { Description = "synthetic image side in pixels", DefaultValueFactory = _ => 256 };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var detector = new Options.DetectorOptions();
        var compute = new Options.ComputeOptions();
        var command = new Command("e2e", "Time fitting and scoring end to end on a generated synthetic category (default backbone: random_vits16)")
        {
            train, test, size, json,
        };
        detector.AddTo(command);
        compute.AddTo(command);
        command.SetAction(parse =>
        {
            var device = compute.Apply(parse);
            var settings = detector.Bind(parse, defaultBackbone: "random_vits16");
            var result = EndToEndBenchmark.Run(settings, device, parse.GetValue(compute.BatchSize), parse.GetValue(train), parse.GetValue(test), parse.GetValue(size));
            Console.WriteLine(parse.GetValue(json) ? result.ToJson()
                : $"{result.Backbone} on {result.Device}, {result.Threads} threads: fit {result.FitImagesPerSecond:F2} images/s ({result.TrainImages} images, bank {result.BankSize}), predict {result.PredictImagesPerSecond:F2} images/s ({result.TestImages} images), peak memory {result.PeakMemoryMegabytes:F0} MiB");
            return 0;
        });
        return command;
    }

    /// <summary>Times the exact nearest-neighbour search; compare with tools/bench/faiss_knn.py.</summary>
    private static Command Knn()
    {
        var bank = new Option<long>("--bank") { Description = "memory bank rows M", DefaultValueFactory = _ => 65536 };
        var queries = new Option<long>("--queries") { Description = "query rows Q per batch", DefaultValueFactory = _ => 784 };
        var dim = new Option<long>("--dim") { Description = "feature width D", DefaultValueFactory = _ => 768 };
        var nn = new Option<int>("--nn") { Description = "neighbours n_nn", DefaultValueFactory = _ => 1 };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:i]", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int?>("--threads") { Description = "intra-op threads (default: all cores)" };
        var repeats = new Option<int>("--repeats") { Description = "timed searches (the median is reported)", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "untimed searches first", DefaultValueFactory = _ => 1 };
        var chunk = new Option<long?>("--chunk-rows") { Description = "bank rows per chunk (default: from the memory budget)" };
        var precision = new Option<string>("--precision") { Description = "float32 (the reference) or bf16: bfloat16 ranking with a proof per query and float32 rerank, the same exact answers, faster", DefaultValueFactory = _ => "float32" };
        var candidates = new Option<int>("--candidates") { Description = "bf16: candidates per query measured in float32", DefaultValueFactory = _ => ExactNearestNeighbourSearch.DefaultRerankCandidates };
        var generic = new Option<bool>("--generic-path") { Description = "bf16: the device-generic path (a bfloat16 mm per chunk, candidates measured by tensor ops) even on a CPU with the fused AVX512-BF16 kernels" };
        var onHost = new Option<bool>("--bank-on-host") { Description = "keep the bank in host memory (pinned on CUDA) and stream it to the device in double-buffered chunks (float32)" };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var command = new Command("knn", "Time the exact kNN search: median seconds per query batch and GFLOP/s (2*Q*M*D per batch)")
        {
            bank, queries, dim, nn, device, threads, repeats, warmup, chunk, precision, candidates, generic, onHost, json,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.Initialize();
            var result = KnnMicrobenchmark.Run(new KnnBenchmarkOptions(
                parse.GetValue(bank), parse.GetValue(queries), parse.GetValue(dim), parse.GetValue(nn), parse.GetValue(device)!,
                parse.GetValue(warmup), parse.GetValue(repeats), parse.GetValue(threads), parse.GetValue(chunk),
                Precision: SearchPrecisionNames.Parse(parse.GetValue(precision)!, "--precision"), RerankCandidates: parse.GetValue(candidates), BankOnHost: parse.GetValue(onHost),
                GenericPath: parse.GetValue(generic)));
            Console.WriteLine(parse.GetValue(json) ? result.ToJson()
                : $"{result.Implementation} on {result.Device}, {result.Threads} threads: bank {result.Bank}x{result.Dim}, {result.Queries} queries, n_nn {result.Nn}, chunk {result.ChunkRows} rows: {result.SecondsPerBatch * 1e3:F1} ms/batch, {result.Gflops:F1} GFLOP/s, {result.SearchedAgainPerBatch:F1} queries/batch searched again");
            return 0;
        });
        return command;
    }

    /// <summary>Times the ViT forward with random weights beside same-run sgemm rates; compare with tools/bench/vit_forward.py.</summary>
    private static Command Vit()
    {
        var arch = new Option<string>("--arch") { Description = "vit_small, vit_base or vit_large", DefaultValueFactory = _ => "vit_base" };
        var patch = new Option<int>("--patch") { Description = "patch size p", DefaultValueFactory = _ => 16 };
        var imageSize = new Option<int>("--imagesize") { Description = "square input side in pixels", DefaultValueFactory = _ => 224 };
        var batch = new Option<int>("--batch") { Description = "images per forward", DefaultValueFactory = _ => 1 };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:i]", DefaultValueFactory = _ => "cpu" };
        var threads = new Option<int?>("--threads") { Description = "intra-op threads (default: all cores)" };
        var repeats = new Option<int>("--repeats") { Description = "timed forwards (the median is reported)", DefaultValueFactory = _ => 5 };
        var warmup = new Option<int>("--warmup") { Description = "untimed forwards first", DefaultValueFactory = _ => 1 };
        var gemm = new Option<string?>("--gemm") { Description = "GEMM engine of the forward on the CPU: onednn (the default where libtorch loaded oneDNN) or libtorch (its BLAS)" };
        var precision = new Option<string>("--precision") { Description = "linear layers in float32 (the reference) or bf16 (see run --backbone-precision)", DefaultValueFactory = _ => "float32" };
        var square = new Option<int>("--square") { Description = "side of the square sgemm timed beside the model's shapes", DefaultValueFactory = _ => 2048 };
        var json = new Option<bool>("--json") { Description = "print one JSON object" };
        var command = new Command("vit", "Time the ViT forward (every block, random weights): median seconds per image, GFLOP/s and the fraction of the same run's best sgemm rate")
        {
            arch, patch, imageSize, batch, device, threads, repeats, warmup, gemm, precision, square, json,
        };
        command.SetAction(parse =>
        {
            TorchRuntime.Initialize();
            var result = VitForwardMicrobenchmark.Run(new VitBenchmarkOptions(
                parse.GetValue(arch)!, parse.GetValue(patch), parse.GetValue(imageSize), parse.GetValue(batch), parse.GetValue(device)!,
                parse.GetValue(warmup), parse.GetValue(repeats), parse.GetValue(threads), OneDnnGemm: GemmEngine(parse.GetValue(gemm)),
                SquareSide: parse.GetValue(square), Precision: BackbonePrecisionNames.Parse(parse.GetValue(precision)!, "--precision")));
            Console.WriteLine(parse.GetValue(json) ? result.ToJson() : Describe(result));
            return 0;
        });
        return command;
    }

    /// <summary>--gemm as <see cref="VitBenchmarkOptions.OneDnnGemm"/>: null keeps the default.</summary>
    private static bool? GemmEngine(string? value) => value switch
    {
        null => null,
        "onednn" => true,
        "libtorch" => false,
        _ => throw new ArgumentException($"--gemm must be onednn or libtorch, got '{value}'"),
    };

    private static string Describe(VitBenchmarkResult r)
    {
        static string Rates(IReadOnlyDictionary<string, double> rates) => string.Join(", ", rates.Select(e => $"{e.Key} {e.Value:F0}"));
        return $"{r.Implementation} on {r.Device}, {r.Threads} threads: {r.Arch}/{r.Patch} at {r.ImageSize} px, batch {r.Batch}: "
            + $"{r.SecondsPerImage * 1e3:F1} ms/image, {r.ForwardGflops:F0} GFLOP/s ({r.Precision} linear layers, {r.GemmEngine} GEMMs); same-run sgemm GFLOP/s "
            + $"on the model's shapes: {Rates(r.SgemmModelShapesGflops)}; {r.SquareSide}^3: {Rates(r.SgemmSquareGflops)}; "
            + $"forward at {100 * r.FractionOfBestSgemm:F0} % of the best";
    }
}

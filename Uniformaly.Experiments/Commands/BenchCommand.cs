using System.CommandLine;
using Uniformaly.Experiments.Options;
using Uniformaly.Research.Benchmarks;
using Uniformaly.Research.Common;
using Uniformaly.Research.Search;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;
using static Uniformaly.Research.Settings.SettingTable;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly bench knn|vit|e2e|sweep|plot</c>: microbenchmarks of the detector's hot loops, and their charts.</summary>
public static class BenchCommand
{
    /// <summary>The backbone benchmarks use unless told otherwise: small, and built without downloads.</summary>
    public const string DefaultBackbone = "random_vits16";

    /// <summary>--json, shared by the bench subcommands that print one result.</summary>
    internal static readonly Setting<bool> Json = OwnSettings.Flag("json", "Print one JSON object");

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
        var train = OwnSettings.Whole("train", "Training images", 100, 1);
        var test = OwnSettings.Whole("test", "Test images (40 % normal, the rest split over 3 defect types)", 100, 4);
        var size = OwnSettings.Whole("size", "Synthetic image side in pixels", 256, 16);
        var command = new Command("e2e", $"Time fitting and scoring end to end on a generated synthetic category (default backbone: {DefaultBackbone})");
        var options = new SettingOptions(command, [train, test, size, Json, .. SettingGroups.Fitting, .. SettingGroups.Compute],
            defaults: new Dictionary<Setting, object?> { [Backbone] = DefaultBackbone });
        command.SetAction(parse =>
        {
            var values = options.Read(parse);
            var settings = DetectorSettings.From(values);
            var device = Compute.Apply(values);
            var result = EndToEndBenchmark.Run(settings, device, values.Get(BatchSize), values.Get(train), values.Get(test), values.Get(size), values.Get(Weights));
            Console.WriteLine(values.Get(Json) ? result.ToJson()
                : $"{result.Backbone} on {result.Device}, {result.Threads} threads: fit {result.FitImagesPerSecond:F2} images/s ({result.TrainImages} images, bank {result.BankSize}), predict {result.PredictImagesPerSecond:F2} images/s ({result.TestImages} images), peak memory {result.PeakMemoryMegabytes:F0} MiB");
            return 0;
        });
        return command;
    }

    /// <summary>Times the exact nearest-neighbour search; compare with tools/bench/faiss_knn.py.</summary>
    private static Command Knn()
    {
        var bank = OwnSettings.Whole("bank", "Memory bank rows M", 65536L, 1L);
        var queries = OwnSettings.Whole("queries", "Query rows Q per batch", 784L, 1L);
        var dim = OwnSettings.Whole("dim", "Feature width D", 768L, 1L);
        var repeats = OwnSettings.Whole("repeats", "Timed searches (the median is reported)", 5, 1);
        var warmup = OwnSettings.Whole("warmup", "Untimed searches first", 1, 0);
        var chunk = new Setting<long?>("chunk-rows", "Bank rows per chunk (default: from the memory budget)", null,
            ValueKinds.Optional(ValueKinds.Whole(1L, long.MaxValue)));
        var candidates = OwnSettings.Whole("candidates", "bf16: candidates per query measured in float32", ExactNearestNeighbourSearch.DefaultRerankCandidates, 1);
        var generic = OwnSettings.Flag("generic-path", "bf16: the device-generic path (a bfloat16 mm per chunk, candidates measured by tensor ops) even on a CPU with the fused AVX512-BF16 kernels");
        var onHost = OwnSettings.Flag("bank-on-host", "Keep the bank in host memory (pinned on CUDA) and stream it to the device in double-buffered chunks (float32)");
        var command = new Command("knn", "Time the exact kNN search: median seconds per query batch and GFLOP/s (2*Q*M*D per batch)");
        var options = new SettingOptions(command, [bank, queries, dim, Nn, SettingTable.Device, Threads, repeats, warmup, chunk, KnnPrecision, candidates, generic, onHost, Json]);
        command.SetAction(parse =>
        {
            var values = options.Read(parse);
            if (values.Get(onHost) && values.Get(KnnPrecision) != SearchPrecision.Float32)
                throw new SettingException($"{onHost.Option} searches in float32 only: leave out {KnnPrecision.Option} {KnnPrecision.Format(values.Get(KnnPrecision))}");
            TorchRuntime.Initialize();
            var result = KnnMicrobenchmark.Run(new KnnBenchmarkOptions(
                values.Get(bank), values.Get(queries), values.Get(dim), values.Get(Nn), values.Get(SettingTable.Device).ToString(),
                values.Get(warmup), values.Get(repeats), values.Get(Threads), values.Get(chunk),
                Precision: values.Get(KnnPrecision), RerankCandidates: values.Get(candidates), BankOnHost: values.Get(onHost),
                GenericPath: values.Get(generic)));
            Console.WriteLine(values.Get(Json) ? result.ToJson()
                : $"{result.Implementation} on {result.Device}, {result.Threads} threads: bank {result.Bank}x{result.Dim}, {result.Queries} queries, n_nn {result.Nn}, chunk {result.ChunkRows} rows: {result.SecondsPerBatch * 1e3:F1} ms/batch, {result.Gflops:F1} GFLOP/s, {result.SearchedAgainPerBatch:F1} queries/batch searched again");
            return 0;
        });
        return command;
    }

    /// <summary>Times the ViT forward with random weights beside same-run sgemm rates; compare with tools/bench/vit_forward.py.</summary>
    private static Command Vit()
    {
        var arch = new Setting<string>("arch", "ViT size (vit_small, vit_base, vit_large with --patch) or a DINOv2 or DINOv3 backbone (its own patch)", "vit_base",
            ValueKinds.Choice([.. VitForwardMicrobenchmark.Archs.Select(a => (a, a))]));
        var patch = new Setting<int>("patch", "Patch size p of the vit_* sizes", 16, ValueKinds.Choice(("8", 8), ("16", 16)));
        var repeats = OwnSettings.Whole("repeats", "Timed forwards (the median is reported)", 5, 1);
        var warmup = OwnSettings.Whole("warmup", "Untimed forwards first", 1, 0);
        var gemm = new Setting<bool?>("gemm", "GEMM engine of the forward on the CPU: onednn (the default where libtorch loaded oneDNN) or libtorch (its BLAS)",
            null, ValueKinds.Optional(ValueKinds.Choice(("onednn", true), ("libtorch", false))));
        var square = OwnSettings.Whole("square", "Side of the square sgemm timed beside the model's shapes", 2048, 1);
        var command = new Command("vit", "Time the ViT forward (every block, random weights): median seconds per image, GFLOP/s and the fraction of the same run's best sgemm rate");
        var options = new SettingOptions(command, [arch, patch, ImageSize, BatchSize, SettingTable.Device, Threads, repeats, warmup, gemm,
                SettingTable.BackbonePrecision, square, Json],
            defaults: new Dictionary<Setting, object?> { [BatchSize] = 1 });
        command.SetAction(parse =>
        {
            var values = options.Read(parse);
            var patchSize = VitForwardMicrobenchmark.Architecture(values.Get(arch), values.Get(patch)).PatchSize;
            if (values.Get(ImageSize) % patchSize != 0)
                throw new SettingException(VitForwardMicrobenchmark.IsNamedBackbone(values.Get(arch))
                    ? $"{ImageSize.Option}: {values.Get(ImageSize)} is not a multiple of {values.Get(arch)}'s patch {patchSize}"
                    : $"{ImageSize.Option}: {values.Get(ImageSize)} is not a multiple of {patch.Option} {patchSize}");
            TorchRuntime.Initialize();
            var result = VitForwardMicrobenchmark.Run(new VitBenchmarkOptions(
                values.Get(arch), values.Get(patch), values.Get(ImageSize), values.Get(BatchSize), values.Get(SettingTable.Device).ToString(),
                values.Get(warmup), values.Get(repeats), values.Get(Threads), OneDnnGemm: values.Get(gemm),
                SquareSide: values.Get(square), Precision: values.Get(SettingTable.BackbonePrecision)));
            Console.WriteLine(values.Get(Json) ? result.ToJson() : Describe(result));
            return 0;
        });
        return command;
    }

    private static string Describe(VitBenchmarkResult r)
    {
        static string Rates(IReadOnlyDictionary<string, double> rates) => string.Join(", ", rates.Select(e => $"{e.Key} {e.Value:F0}"));
        return $"{r.Implementation} on {r.Device}, {r.Threads} threads: {r.Arch}/{r.Patch} at {r.ImageSize} px, batch {r.Batch}: "
            + $"{r.SecondsPerImage * 1e3:F1} ms/image, {r.ForwardGflops:F0} GFLOP/s ({r.Precision} linear layers, {r.GemmEngine} GEMMs); same-run sgemm GFLOP/s "
            + $"on the model's shapes: {Rates(r.SgemmModelShapesGflops)}; {r.SquareSide}^3: {Rates(r.SgemmSquareGflops)}; "
            + $"forward at {100 * r.FractionOfBestSgemm:F0} % of the best";
    }
}

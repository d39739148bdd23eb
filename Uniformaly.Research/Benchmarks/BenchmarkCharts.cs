using System.Globalization;
using ScottPlot;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Research.Benchmarks;

/// <summary>One chart of <see cref="BenchmarkCharts"/>: its file name (no extension) and the plot.</summary>
public sealed record NamedFigure(string Name, Plot Plot);

/// <summary>
/// Charts of what `uniformaly bench knn|vit --json` and the reference scripts print: kNN throughput
/// against bank size (one chart per device, width and query count), ViT forward time per model (one
/// chart per device, image size and thread count); a bar per implementation, in the order they
/// first appear. Repeated measurements of one bar show their median.
/// </summary>
public static class BenchmarkCharts
{
    public const int Width = 820, Height = 460;

    /// <summary>GFLOP/s = 2·Q·M·D / seconds, the GEMM rate an exact search implies, comparable across bank sizes.</summary>
    public static IEnumerable<NamedFigure> Knn(IReadOnlyList<KnnBenchmarkResult> results) =>
        results.GroupBy(r => (r.Device, r.Dim, r.Queries, r.Nn, r.Threads)).Select(g => new NamedFigure(
            $"knn_{Figure.FileName(g.Key.Device)}_d{g.Key.Dim}_q{g.Key.Queries}_nn{g.Key.Nn}_t{g.Key.Threads}",
            GroupedBars($"Exact kNN on {g.Key.Device}, {g.Key.Threads} threads: D = {g.Key.Dim}, {g.Key.Queries:N0} queries, n_nn = {g.Key.Nn}",
                "memory bank rows M", "throughput (GFLOP/s = 2·Q·M·D / time)",
                g.Select(r => (Group: r.Bank.ToString("N0", CultureInfo.InvariantCulture), r.Implementation,
                    Value: 2.0 * r.Queries * r.Bank * r.Dim / r.SecondsPerBatch / 1e9, Order: (double)r.Bank)).ToList())));

    /// <summary>Milliseconds per image of the forward, per model.</summary>
    public static IEnumerable<NamedFigure> Vit(IReadOnlyList<VitBenchmarkResult> results) =>
        results.GroupBy(r => (r.Device, r.ImageSize, r.Threads)).Select(g => new NamedFigure(
            $"vit_{Figure.FileName(g.Key.Device)}_{g.Key.ImageSize}px_t{g.Key.Threads}",
            GroupedBars($"ViT forward on {g.Key.Device}, {g.Key.Threads} threads, {g.Key.ImageSize} x {g.Key.ImageSize} images",
                "model", "time per image (ms)",
                g.Select(r => (Group: Model(r), r.Implementation, Value: 1e3 * r.SecondsPerImage, Order: ModelOrder(r))).ToList())));

    /// <summary>"ViT-B/16" from vit_base and patch 16; a DINOv2 or DINOv3 backbone by its name.</summary>
    private static string Model(VitBenchmarkResult r) => r.Arch switch
    {
        "vit_small" => "ViT-S",
        "vit_base" => "ViT-B",
        "vit_large" => "ViT-L",
        var other => other,
    } + (VitForwardMicrobenchmark.IsNamedBackbone(r.Arch) ? "" : $"/{r.Patch}");

    /// <summary>Small models first, and within a size the cheaper large patches first; then the
    /// DINOv2 and DINOv3 backbones in their table's order.</summary>
    private static double ModelOrder(VitBenchmarkResult r) =>
        VitForwardMicrobenchmark.Archs.ToList().IndexOf(r.Arch) * 1000.0 - r.Patch;

    private static Plot GroupedBars(string title, string xTitle, string yTitle,
        IReadOnlyList<(string Group, string Implementation, double Value, double Order)> values)
    {
        var groups = values.OrderBy(v => v.Order).Select(v => v.Group).Distinct().ToList();
        var implementations = values.Select(v => v.Implementation).Distinct().ToList();
        var plot = Figure.Create(title);
        plot.XLabel(xTitle);
        plot.YLabel(yTitle);
        const double groupWidth = 0.8;
        var barWidth = groupWidth / implementations.Count;
        for (var j = 0; j < implementations.Count; j++)
        {
            var bars = groups.Select((group, i) => (i, Values: values.Where(v => v.Group == group && v.Implementation == implementations[j]).Select(v => v.Value).ToList()))
                .Where(x => x.Values.Count > 0)
                .Select(x => new Bar
                {
                    Position = x.i - groupWidth / 2 + (j + 0.5) * barWidth,
                    Value = Median(x.Values),
                    Size = barWidth * 0.9,
                    FillColor = Figure.Colour(j),
                    LineWidth = 0,
                }).ToList();
            plot.Add.Bars(bars).LegendText = implementations[j];
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. groups.Select((_, i) => (double)i)], [.. groups]);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Margins(bottom: 0);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        var n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}

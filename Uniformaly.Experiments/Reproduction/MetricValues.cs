using Uniformaly.Research.Evaluation;
using Uniformaly.Research.Metrics;

namespace Uniformaly.Experiments.Reproduction;

/// <summary>Metric names of reproductions and the scale the paper prints them in.</summary>
public static class MetricValues
{
    private static readonly string[] Clustering = ["nmi", "ari", "f1"];

    /// <summary>Checks that <paramref name="metric"/> exists for <paramref name="protocol"/>.</summary>
    public static void Check(string metric, Protocol protocol, string where)
    {
        var known = Names(protocol);
        if (!known.Contains(metric)) throw new Uniformaly.Research.Common.SettingException($"{where}: unknown metric '{metric}' for {protocol.ToString().ToLowerInvariant()} (known: {string.Join(", ", known)})");
    }

    public static IReadOnlyList<string> Names(Protocol protocol) => protocol switch
    {
        Protocol.Clustering => Clustering,
        Protocol.Semantic => ["image_auroc", "image_ap", "image_f1max"],
        _ => DetectionMetrics.Names,
    };

    /// <summary>The eight detection metrics as fractions, keyed like metrics.json.</summary>
    public static Dictionary<string, double> Of(DetectionMetrics m) =>
        DetectionMetrics.Names.Zip(m.Values).ToDictionary(p => p.First, p => p.Second);

    public static Dictionary<string, double> Of(CategoryClustering c) => new() { ["nmi"] = c.Nmi, ["ari"] = c.Ari, ["f1"] = c.F1 };

    /// <summary>The paper prints AUROC-like metrics in percent and clustering metrics as fractions.</summary>
    public static double PaperScale(string metric) => Clustering.Contains(metric) ? 1 : 100;

    /// <summary>How figures name a metric: "image AUROC", "AUPRO", "NMI" (the detection metrics as run's tables do).</summary>
    public static string Title(string metric) => DetectionMetrics.Title(metric);

    /// <summary>A metric's axis title with its unit: percent as the paper prints detection metrics, clustering metrics on their 0-1 scale.</summary>
    public static string AxisTitle(string metric) => PaperScale(metric) == 100 ? $"{Title(metric)} (%)" : $"{Title(metric)} (0 to 1)";

    public static int Decimals(string metric) => Clustering.Contains(metric) ? 4 : 2;
}

using System.Globalization;
using Uniformaly.Research.Common;
using Uniformaly.Research.Reporting;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Research.Evaluation;

/// <summary>One image chosen for a gallery, and why.</summary>
/// <param name="Kind">"best" (an anomalous image scored highest), "missed" (an anomalous image scored
/// lowest) or "false alarm" (a normal image scored highest).</param>
/// <param name="Rank">1 for the most extreme of its kind.</param>
/// <param name="Index">Its position in the scored list (and the maps).</param>
/// <param name="Image">The image and its score.</param>
public sealed record GalleryPick(string Kind, int Rank, int Index, ScoredImage Image);

/// <summary>
/// Heatmap overlays of the test images that tell the most about a category's run: the anomalous
/// images scored highest (what the method finds), the anomalous images scored lowest and the normal
/// images scored highest (where it fails). Written as PNGs plus a Markdown index, on one colour scale.
/// </summary>
public static class HeatmapGallery
{
    /// <summary>Up to <paramref name="count"/> images of each kind, ranked.</summary>
    public static IReadOnlyList<GalleryPick> Select(IReadOnlyList<ScoredImage> scored, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var indexed = scored.Select((s, i) => (Scored: s, Index: i)).ToList();
        var anomalous = indexed.Where(x => x.Scored.Sample.IsAnomalous).ToList();
        var normal = indexed.Where(x => !x.Scored.Sample.IsAnomalous);
        return Picks("best", anomalous.OrderByDescending(x => x.Scored.Score), count)
            .Concat(Picks("missed", anomalous.OrderBy(x => x.Scored.Score), count))
            .Concat(Picks("false alarm", normal.OrderByDescending(x => x.Scored.Score), count))
            .ToList();
    }

    /// <summary>Writes each pick's overlay under <paramref name="folder"/> and index.md listing them.</summary>
    /// <param name="folder">The category's gallery folder.</param>
    /// <param name="title">Heading of index.md.</param>
    /// <param name="picks">From <see cref="Select"/>.</param>
    /// <param name="overlay">The overlay (S x S RGB) of a pick, given its index in the scored list.</param>
    /// <param name="savePng">Writes RGB bytes to a PNG path.</param>
    public static void Write(string folder, string title, IReadOnlyList<GalleryPick> picks, Func<int, byte[]> overlay,
        Action<string, byte[]> savePng)
    {
        var table = new MarkdownTable(["kind", "rank", "image", "anomaly type", "score", "overlay"]);
        foreach (var pick in picks)
        {
            var file = $"{pick.Kind.Replace(' ', '_')}_{pick.Rank}.png";
            savePng(Path.Combine(folder, file), overlay(pick.Index));
            var sample = pick.Image.Sample;
            table.Add(pick.Kind, pick.Rank.ToString(CultureInfo.InvariantCulture), sample.RelativePath, sample.AnomalyType,
                pick.Image.Score.ToString("G6", CultureInfo.InvariantCulture), $"![{file}]({file})");
        }
        AtomicFile.WriteAllText(Path.Combine(folder, "index.md"), $"# {title}\n\n{table.ToMarkdown()}");
    }

    private static IEnumerable<GalleryPick> Picks(string kind, IEnumerable<(ScoredImage Scored, int Index)> ranked, int count) =>
        ranked.Take(count).Select((x, rank) => new GalleryPick(kind, rank + 1, x.Index, x.Scored));
}

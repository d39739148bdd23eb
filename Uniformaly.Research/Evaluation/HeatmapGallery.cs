using System.Globalization;
using Uniformaly.Research.Common;
using Uniformaly.Research.Reporting;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Research.Evaluation;

/// <summary>One image chosen for a gallery, and why.</summary>
/// <param name="Kind">Its row: one of <see cref="HeatmapGallery.Kinds"/>.</param>
/// <param name="Label">What it is called in its caption: its kind, or "missed" for a defect scored no higher
/// than some normal image and "false alarm" for a normal image scored no lower than some defect (no
/// threshold separates those from the other class).</param>
/// <param name="Rank">1 for the most extreme of its kind.</param>
/// <param name="Index">Its position in the scored list (and the maps).</param>
/// <param name="Image">The image and its score.</param>
public sealed record GalleryPick(string Kind, string Label, int Rank, int Index, ScoredImage Image);

/// <summary>
/// Heatmap overlays of the test images that tell the most about a category's run: the anomalous
/// images scored highest (what the method finds), the anomalous images scored lowest and the normal
/// images scored highest (where it would fail first). Those are called missed and false alarms only
/// when they are: when the classes' scores overlap. Written as one sheet (gallery.png and gallery.svg, a row
/// per kind, on one colour scale, <see cref="HeatmapSheet"/>) plus a Markdown index.
/// </summary>
public static class HeatmapGallery
{
    /// <summary>The kinds of pick, in the order of the sheet's rows.</summary>
    public static readonly string[] Kinds = ["best", "lowest-scored defect", "highest-scored normal image"];

    /// <summary>Up to <paramref name="count"/> images of each kind, ranked.</summary>
    public static IReadOnlyList<GalleryPick> Select(IReadOnlyList<ScoredImage> scored, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var indexed = scored.Select((s, i) => (Scored: s, Index: i)).ToList();
        var anomalous = indexed.Where(x => x.Scored.Sample.IsAnomalous).ToList();
        var normal = indexed.Where(x => !x.Scored.Sample.IsAnomalous).ToList();
        var highestNormal = normal.Count == 0 ? float.NegativeInfinity : normal.Max(x => x.Scored.Score);
        var lowestDefect = anomalous.Count == 0 ? float.PositiveInfinity : anomalous.Min(x => x.Scored.Score);
        return Picks(Kinds[0], _ => Kinds[0], anomalous.OrderByDescending(x => x.Scored.Score), count)
            .Concat(Picks(Kinds[1], s => s <= highestNormal ? "missed" : Kinds[1], anomalous.OrderBy(x => x.Scored.Score), count))
            .Concat(Picks(Kinds[2], s => s >= lowestDefect ? "false alarm" : Kinds[2], normal.OrderByDescending(x => x.Scored.Score), count))
            .ToList();
    }

    /// <summary>Writes the sheet of <paramref name="picks"/> under <paramref name="folder"/> and index.md listing them.</summary>
    /// <param name="folder">The category's gallery folder.</param>
    /// <param name="title">Heading of the sheet and of index.md.</param>
    /// <param name="picks">From <see cref="Select"/>.</param>
    /// <param name="size">Side of the images and maps.</param>
    /// <param name="picture">A pick's image (RGB), anomaly map and mask (null without one), given its index in the scored list.</param>
    /// <param name="min">Cold end of the colour scale (the category's lowest map value).</param>
    /// <param name="max">Hot end.</param>
    public static void Write(string folder, string title, IReadOnlyList<GalleryPick> picks, int size,
        Func<int, (byte[] Rgb, float[] Map, byte[]? Mask)> picture, float min, float max)
    {
        if (picks.Count == 0) return;
        var rows = Kinds.Select(kind => picks.Where(p => p.Kind == kind).Select(p =>
        {
            var (rgb, map, mask) = picture(p.Index);
            return new HeatmapPanel(rgb, map, mask, Caption(p));
        }).ToList()).Where(r => r.Count > 0).ToList<IReadOnlyList<HeatmapPanel>>();
        var (plot, width, height) = HeatmapSheet.Create(title, size, rows, min, max);
        using (plot) Figure.Write(plot, Path.Combine(folder, "gallery"), width, height);
        var table = new MarkdownTable(["kind", "rank", "image", "anomaly type", "score"]);
        foreach (var pick in picks)
        {
            var sample = pick.Image.Sample;
            table.Add(pick.Label, pick.Rank.ToString(CultureInfo.InvariantCulture), sample.RelativePath, sample.AnomalyType,
                pick.Image.Score.ToString("G6", CultureInfo.InvariantCulture));
        }
        AtomicFile.WriteAllText(Path.Combine(folder, "index.md"), $"# {title}\n\n![gallery](gallery.png)\n\n{table.ToMarkdown()}");
    }

    /// <summary>"best #1 · score 0.8731" over the image's anomaly type and file name.</summary>
    private static string Caption(GalleryPick pick) =>
        $"{pick.Label} #{pick.Rank} · score {pick.Image.Score.ToString("G4", CultureInfo.InvariantCulture)}\n" +
        $"{pick.Image.Sample.AnomalyType}/{Path.GetFileName(pick.Image.Sample.Path)}";

    private static IEnumerable<GalleryPick> Picks(string kind, Func<float, string> label, IEnumerable<(ScoredImage Scored, int Index)> ranked, int count) =>
        ranked.Take(count).Select((x, rank) => new GalleryPick(kind, label(x.Scored.Score), rank + 1, x.Index, x.Scored));
}

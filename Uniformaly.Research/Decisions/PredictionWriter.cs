using System.Globalization;
using Uniformaly.Research.Data;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Research.Decisions;

/// <summary>
/// predict's output for one batch of scored images at a time, so nothing is held beyond the batch:
/// per image a row (path, raw score, normalised score, label), and optionally a heatmap figure and a
/// binary defect mask at the image's original size, named after the image (<c>NAME.heatmap.png</c>,
/// <c>NAME.mask.png</c>, NAME being its path below the images' common folder, extension included).
/// </summary>
/// <param name="input">Reads the crops the heatmaps are drawn over.</param>
/// <param name="resize">The model's resize (for masks at the original size).</param>
/// <param name="decision">The thresholds; null for a model without calibration (raw scores only).</param>
/// <param name="heatmaps">Folder of the heatmap figures, or null.</param>
/// <param name="masks">Folder of the masks, or null.</param>
/// <param name="names">Each image's name in those folders.</param>
public sealed class PredictionWriter(IImageInput input, int resize, DecisionThresholds? decision, string? heatmaps, string? masks,
    IReadOnlyDictionary<string, string> names)
{
    public const string Anomalous = "anomalous";

    public const string Normal = "normal";

    /// <summary>The rows of a batch, after writing its pictures.</summary>
    /// <param name="samples">The batch's images.</param>
    /// <param name="scores">Their image scores.</param>
    /// <param name="maps">Their anomaly maps, one after the other (imagesize squared each).</param>
    public IReadOnlyList<IReadOnlyList<string>> Write(IReadOnlyList<ImageSample> samples, float[] scores, float[] maps)
    {
        var pixels = input.ImageSize * input.ImageSize;
        var rows = new List<IReadOnlyList<string>>();
        for (var i = 0; i < samples.Count; i++)
        {
            var (path, score) = (samples[i].Path, scores[i]);
            var map = maps.AsSpan(i * pixels, pixels);
            if (decision is null)
            {
                rows.Add([path, Text(score), "", "", ""]);
                continue;
            }
            var (normalised, label) = (decision.NormaliseImage(score), decision.IsAnomalous(score) ? Anomalous : Normal);
            if (heatmaps is not null) WriteHeatmap(decision, path, map, $"score {Text(score, "G4")} · normalised {normalised:0.00} · {label}\nwhite outline: defect mask (0.5 on the colour bar)");
            if (masks is not null) WriteMask(decision, path, map);
            rows.Add([path, Text(score), normalised.ToString("0.####", CultureInfo.InvariantCulture), label, ""]);
        }
        return rows;
    }

    /// <summary>The overlay of the normalised pixel scores (0.5 at the pixel threshold), outlining the defect mask.</summary>
    private void WriteHeatmap(DecisionThresholds decision, string path, ReadOnlySpan<float> map, string caption)
    {
        var normalised = new float[map.Length];
        var mask = new byte[map.Length];
        for (var p = 0; p < map.Length; p++)
        {
            normalised[p] = (float)DecisionThresholds.Normalise(map[p], decision.PixelThreshold, decision.PixelRange);
            mask[p] = map[p] >= decision.PixelThreshold ? (byte)1 : (byte)0;
        }
        HeatmapFigure.Write(System.IO.Path.Combine(heatmaps!, names[path] + ".heatmap.png"), Title(names[path]),
            new HeatmapPanel(input.LoadCrop(path), normalised, mask, caption), input.ImageSize, 0, 1, "normalised score");
    }

    private void WriteMask(DecisionThresholds decision, string path, ReadOnlySpan<float> map)
    {
        var image = ImageDecoder.Load(path);
        var mask = DefectMask.AtOriginalSize(map, decision.PixelThreshold, image.Width, image.Height, resize, input.ImageSize);
        var file = System.IO.Path.Combine(masks!, names[path] + ".mask.png");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        PngWriter.SaveGray(file, image.Width, image.Height, mask);
    }

    /// <summary>A long file name cut to fit above the picture.</summary>
    private static string Title(string name) => name.Length <= 40 ? name : name[..18] + "..." + name[^19..];

    private static string Text(float value, string format = "R") => value.ToString(format, CultureInfo.InvariantCulture);
}

using System.Text.Json;
using Uniformaly.Research.Common;

namespace Uniformaly.Research.Decisions;

/// <summary>The lowest and highest score seen at calibration: the ends of the min-max normalisation.</summary>
public sealed record ScoreRange(float Min, float Max)
{
    public static ScoreRange Of(IEnumerable<float> values) =>
        values.Aggregate(new ScoreRange(float.PositiveInfinity, float.NegativeInfinity), (r, v) => new ScoreRange(Math.Min(r.Min, v), Math.Max(r.Max, v)));

    public ScoreRange Union(ScoreRange other) => new(Math.Min(Min, other.Min), Math.Max(Max, other.Max));
}

/// <summary>The F1-optimal thresholds on labelled validation images (<c>fit --validation</c>).</summary>
/// <param name="Folder">The validation folder, as given.</param>
/// <param name="NormalImages">Normal images among them.</param>
/// <param name="DefectImages">Defective images among them.</param>
/// <param name="ImageThreshold">The image score at which F1 is highest (at or above it: anomalous).</param>
/// <param name="ImageF1">That F1.</param>
/// <param name="PixelThreshold">The pixel score at which pixel F1 is highest; null when no image had a mask.</param>
/// <param name="PixelF1">That F1; null without masks.</param>
public sealed record ValidationThresholds(string Folder, int NormalImages, int DefectImages, float ImageThreshold, double ImageF1,
    float? PixelThreshold, double? PixelF1);

/// <summary>
/// What a model folder keeps to turn raw scores into decisions (calibration.json, docs/method.md
/// section 20): the out-of-fold scores of the normal training images (cross-fit), their anomaly maps'
/// maxima, the score ranges for normalisation, and, with validation images, the F1-optimal thresholds.
/// </summary>
/// <param name="Folds">Cross-fit folds: each training image was scored by the bank of the other folds.</param>
/// <param name="NormalImageScores">The training images' out-of-fold image scores, ascending.</param>
/// <param name="NormalPixelMaxima">Each training image's highest out-of-fold pixel score, ascending.</param>
/// <param name="ImageRange">Lowest and highest image score of calibration and validation images.</param>
/// <param name="PixelRange">Lowest and highest pixel score of their maps.</param>
/// <param name="Validation">The F1-optimal thresholds; null when fit had no validation images.</param>
public sealed record Calibration(int Folds, float[] NormalImageScores, float[] NormalPixelMaxima, ScoreRange ImageRange, ScoreRange PixelRange,
    ValidationThresholds? Validation)
{
    public const string FileName = "calibration.json";

    private const string Format = "uniformaly-calibration/1";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public void Save(string folder) =>
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(new Stored(Format, this), Json));

    /// <summary>The calibration in <paramref name="folder"/>, or null when it has none (fitted by an earlier uniformaly).</summary>
    /// <exception cref="InvalidDataException">the file is damaged; the message names it.</exception>
    public static Calibration? Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<Stored>(File.ReadAllText(path), Json) is { Format: Format, Calibration: { } c } && Valid(c)
                ? c : throw new JsonException($"not a {Format} file with ascending scores");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is damaged ({e.Message}); fit the model again", e);
        }
    }

    private static bool Valid(Calibration c) =>
        c is { NormalImageScores.Length: > 0, NormalPixelMaxima.Length: > 0, ImageRange: not null, PixelRange: not null }
        && c.NormalImageScores.Length == c.NormalPixelMaxima.Length && Ascending(c.NormalImageScores) && Ascending(c.NormalPixelMaxima);

    private static bool Ascending(float[] values) => values.Zip(values.Skip(1)).All(p => p.First <= p.Second) && values.All(float.IsFinite);

    private sealed record Stored(string Format, Calibration Calibration);
}

using System.Globalization;

namespace Uniformaly.Research.Decisions;

/// <summary>How predict chooses its thresholds (the <c>decision</c> setting; docs/method.md section 20).</summary>
public enum DecisionPolicy
{
    /// <summary>F1-optimal when the model was fitted with validation images, else the false-alarm rate.</summary>
    Auto,

    /// <summary>The thresholds with the best F1 on the validation images.</summary>
    F1,

    /// <summary>The thresholds that call at most the chosen rate of normal images anomalous.</summary>
    FalseAlarm,
}

/// <summary>
/// The thresholds predict labels with, what they promise, and the normalised score: anomalib's
/// min-max convention, (score - threshold) / (max - min) + 0.5 clipped to [0, 1], so the threshold maps
/// to 0.5 and max - min to a unit, with min and max the lowest and highest scores seen at calibration.
/// </summary>
/// <param name="ImageThreshold">An image scoring at or above it is labelled anomalous.</param>
/// <param name="PixelThreshold">A pixel scoring at or above it is in the defect mask.</param>
/// <param name="Promise">The policy and what it promises, in words, for the console and docs.</param>
/// <param name="ImageRange">The ends of the image scores' normalisation.</param>
/// <param name="PixelRange">The ends of the pixel scores' normalisation (and the heatmaps' colour scale).</param>
public sealed record DecisionThresholds(float ImageThreshold, float PixelThreshold, string Promise, ScoreRange ImageRange, ScoreRange PixelRange)
{
    /// <summary>The thresholds of <paramref name="policy"/> from a model's calibration.</summary>
    /// <param name="calibration">The model folder's calibration.json.</param>
    /// <param name="policy">Which thresholds.</param>
    /// <param name="rate">The false-alarm rate on normal images, for <see cref="DecisionPolicy.FalseAlarm"/>.</param>
    /// <param name="warn">Told when the calibration cannot keep the promise asked for, and what it keeps instead.</param>
    /// <exception cref="ArgumentException">F1-optimal thresholds were asked of a model fitted without validation images.</exception>
    public static DecisionThresholds Choose(Calibration calibration, DecisionPolicy policy, double rate, Action<string> warn)
    {
        var validation = calibration.Validation;
        if (policy == DecisionPolicy.F1 && validation is null)
            throw new ArgumentException("F1-optimal thresholds need labelled validation images: fit the model with --validation DIR, or use --decision false-alarm");
        if (policy == DecisionPolicy.FalseAlarm || validation is null) return FalseAlarm(calibration, rate, warn);
        var pixel = validation.PixelThreshold ?? PixelAtRate(calibration, rate, warn);
        var pixelPromise = validation.PixelThreshold is null
            ? $"; the validation images had no masks, so the pixel threshold keeps normal images' masks empty at the false-alarm rate {Percent(rate)}"
            : $"; pixel threshold {Number(pixel)} (pixel F1 {Percent(validation.PixelF1!.Value)} there)";
        return new DecisionThresholds(validation.ImageThreshold, pixel,
            $"F1-optimal on the {validation.NormalImages + validation.DefectImages} validation images of {validation.Folder}: image threshold " +
            $"{Number(validation.ImageThreshold)} (F1 {Percent(validation.ImageF1)} there; no promise on other images){pixelPromise}",
            calibration.ImageRange, calibration.PixelRange);
    }

    /// <summary>(score - threshold) / (max - min) + 0.5, clipped to [0, 1] (anomalib's min-max normalisation).</summary>
    public static double Normalise(float score, float threshold, ScoreRange range)
    {
        var width = range.Max > range.Min ? (double)range.Max - range.Min : 1.0;
        return Math.Clamp((score - (double)threshold) / width + 0.5, 0, 1);
    }

    public double NormaliseImage(float score) => Normalise(score, ImageThreshold, ImageRange);

    public bool IsAnomalous(float score) => score >= ImageThreshold;

    private static DecisionThresholds FalseAlarm(Calibration calibration, double rate, Action<string> warn)
    {
        var n = calibration.NormalImageScores.Length;
        var image = At(calibration.NormalImageScores, rate, warn, "image");
        var pixel = PixelAtRate(calibration, rate, warn);
        var kept = Math.Max(rate, ConformalThreshold.SmallestRate(n));
        return new DecisionThresholds(image, pixel,
            $"false-alarm rate at most {Percent(kept)} on normal images (from the {n} normal training images' cross-fit scores): " +
            $"image threshold {Number(image)}; pixel threshold {Number(pixel)} leaves a normal image's mask empty but for at most {Percent(kept)} of them",
            calibration.ImageRange, calibration.PixelRange);
    }

    private static float PixelAtRate(Calibration calibration, double rate, Action<string> warn) => At(calibration.NormalPixelMaxima, rate, warn, "pixel");

    /// <summary>The conformal threshold; below the smallest rate n scores can promise, the highest score, with a warning.</summary>
    private static float At(float[] sorted, double rate, Action<string> warn, string what)
    {
        if (ConformalThreshold.At(sorted, rate) is { } threshold) return threshold;
        if (what == "image")
            warn($"{sorted.Length} normal training images cannot promise a false-alarm rate of {Percent(rate)}: the smallest they can is " +
                $"{Percent(ConformalThreshold.SmallestRate(sorted.Length))} (1/(n+1)), used instead; fit on at least " +
                $"{ConformalThreshold.ImagesFor(rate)} images, or choose a larger --false-alarm-rate");
        return sorted[^1];
    }

    private static string Number(float value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string Percent(double fraction) => (100 * fraction).ToString("0.###", CultureInfo.InvariantCulture) + " %";
}

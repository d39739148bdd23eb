using Uniformaly.Research.Data;
using Uniformaly.Research.Masking;
using Uniformaly.Research.Metrics;

namespace Uniformaly.Research.Evaluation;

/// <summary>One scored test image.</summary>
public sealed record ScoredImage(ImageSample Sample, float Score);

/// <summary>One category's outcome. <paramref name="FitSeconds"/> covers extracting the training images' features and
/// building the bank (in a multi-class run, the shared fit); <paramref name="ScoreSeconds"/> extracting the test images'
/// features and scoring them; <paramref name="Seconds"/> the category's whole wall time, metrics included.</summary>
public sealed record CategoryResult(string Category, DetectionMetrics Metrics, int TrainImages, long BankSize,
    double FitSeconds, double ScoreSeconds, double Seconds, IReadOnlyList<ScoredImage> Scores)
{
    /// <summary>The ROC and precision-recall curves behind <see cref="Metrics"/>, for the run's figures.</summary>
    public DetectionCurves? Curves { get; init; }

    /// <summary>What Back Patch Masking removed in this category's fit and test set.</summary>
    public MaskedPatches? Masking { get; init; }
}

/// <summary>The whole run: per category, and the mean over categories.</summary>
public sealed record EvaluationResult(IReadOnlyList<CategoryResult> Categories, IReadOnlyList<string> Warnings)
{
    /// <summary>What Back Patch Masking removed over the whole run (a multi-class fit counted once).</summary>
    public MaskedPatches? Masking { get; init; }

    public DetectionMetrics Overall => DetectionMetrics.Mean([.. Categories.Select(c => (c.Category, c.Metrics))]);
}

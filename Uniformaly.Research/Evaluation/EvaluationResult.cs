using Uniformaly.Research.Data;
using Uniformaly.Research.Metrics;

namespace Uniformaly.Research.Evaluation;

/// <summary>One scored test image.</summary>
public sealed record ScoredImage(ImageSample Sample, float Score);

/// <summary>One category's outcome.</summary>
public sealed record CategoryResult(string Category, DetectionMetrics Metrics, int TrainImages, long BankSize, double Seconds,
    IReadOnlyList<ScoredImage> Scores);

/// <summary>The whole run: per category, and the mean over categories.</summary>
public sealed record EvaluationResult(IReadOnlyList<CategoryResult> Categories, IReadOnlyList<string> Warnings)
{
    public DetectionMetrics Overall => DetectionMetrics.Mean(Categories.Select(c => c.Metrics).ToList());
}

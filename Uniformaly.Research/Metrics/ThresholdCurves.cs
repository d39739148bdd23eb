namespace Uniformaly.Research.Metrics;

/// <summary>
/// The ROC and precision-recall curves of one set of scores, for drawing, with the areas that
/// summarize them. Every threshold is walked, but its point is kept only once the ROC point has
/// moved at least 1/<see cref="Resolution"/> along either axis since the last one kept (the last
/// is always kept): hundreds of images keep every point, as sklearn's roc_curve
/// (drop_intermediate=False) and precision_recall_curve give them; tens of millions of pixels keep
/// at most 2 x <see cref="Resolution"/> + 2, all on the exact curves.
/// </summary>
/// <param name="Roc">(false positive rate, true positive rate), from (0, 0) to (1, 1).</param>
/// <param name="PrecisionRecall">(recall, precision) by falling threshold.</param>
/// <param name="Auroc">Area under the exact ROC curve.</param>
/// <param name="AveragePrecision">Average precision over the exact precision-recall curve.</param>
public sealed record ThresholdCurves(IReadOnlyList<(double X, double Y)> Roc, IReadOnlyList<(double X, double Y)> PrecisionRecall,
    double Auroc, double AveragePrecision)
{
    /// <summary>The lowest score at which F1 is at its maximum (<see cref="BinaryMetrics.F1Optimal"/>): the
    /// threshold that turns these scores into labels with the F1-max.</summary>
    public float F1Threshold { get; init; } = float.NaN;

    /// <summary>A figure a few hundred pixels wide draws no finer than this.</summary>
    public const int Resolution = 1000;

    /// <summary>Collects the points of one walk over the thresholds, highest first (<see cref="BinaryMetrics"/>).</summary>
    internal sealed class Builder
    {
        private readonly List<(double X, double Y)> _roc = [(0, 0)];
        private readonly List<(double X, double Y)> _precisionRecall = [];
        private (double Fpr, double Tpr, double Precision) _last;
        private bool _lastKept;

        public void Add(double fpr, double tpr, double precision)
        {
            _last = (fpr, tpr, precision);
            const double step = 1.0 / Resolution;
            _lastKept = Math.Abs(fpr - _roc[^1].X) >= step || Math.Abs(tpr - _roc[^1].Y) >= step;
            if (_lastKept) Keep();
        }

        public ThresholdCurves Build(double auroc, double averagePrecision)
        {
            if (!_lastKept) Keep();
            return new ThresholdCurves(_roc, _precisionRecall, auroc, averagePrecision);
        }

        private void Keep()
        {
            _roc.Add((_last.Fpr, _last.Tpr));
            _precisionRecall.Add((_last.Tpr, _last.Precision));
        }
    }
}

/// <summary>The curves of one detection evaluation: image level when the test set has normal and
/// defect images, pixel level when there are masks.</summary>
public sealed record DetectionCurves(ThresholdCurves? Image, ThresholdCurves? Pixel);

using NUnit.Framework;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Tests.Visualization;

public sealed class SweepChartTests
{
    private static readonly double[] KernelSizes = [1, 3, 5, 7, 9, 11, 13];

    [Test]
    public void KernelSweep_IsWrittenAsPngAndSvg_WithTitlesLegendAndATickAtEverySweptValue()
    {
        using var folder = new TempFolder();
        using var plot = SweepChart.Create("Table 9: kernel size", SweepAxis.Numeric("BPM kernel size n (patches)", KernelSizes, log: false), "image AUROC (%)",
        [
            new LineSeries("defect (ours)", [90, 92, 95, 96, 95, 94, 93], LineStyle.Solid, 0),
            new LineSeries("defect (paper)", [97, 98, 99, 99.3, 99.1, double.NaN, 98.7], LineStyle.Dashed, 0),
        ]);
        var basePath = Path.Combine(folder.Path, "table9_image_auroc");
        Figure.Write(plot, basePath, 820, 460);
        FigureFiles.AssertReadable(basePath, 820, 460,
            "Table 9: kernel size", "BPM kernel size n (patches)", "image AUROC (%)", "defect (ours)", "defect (paper)", "11", "13");
    }

    [Test]
    public void Axes_PlaceTicksAtTheSweptValues_OnLogAndCategoricalAxes()
    {
        var log = SweepAxis.Numeric("top k-ratio (%)", [0.1, 1, 5, 20], log: true);
        Assert.That(log.Labels, Is.EqualTo(new[] { "0.1", "1", "5", "20" }));
        Assert.That(log.Positions, Is.EqualTo(new[] { -1, 0, Math.Log10(5), Math.Log10(20) }).Within(Tolerances.Recomputed));
        var categories = SweepAxis.Categorical("masking", ["binary_0.1", "soft"]);
        Assert.That(categories.Positions, Is.EqualTo(new[] { 0.0, 1.0 }));
    }

    [Test]
    public void BadInput_IsAClearError()
    {
        Assert.Throws<ArgumentException>(() => SweepAxis.Numeric("k", [0, 1], log: true));
        var axis = SweepAxis.Categorical("x", ["a", "b"]);
        var error = Assert.Throws<ArgumentException>(() => SweepChart.Create("t", axis, "y", [new LineSeries("paper", [1.0])]))!;
        Assert.That(error.Message, Does.Contain("'paper' has 1 values for 2"));
    }
}

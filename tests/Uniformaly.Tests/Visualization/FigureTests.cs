using NUnit.Framework;
using Uniformaly.Research.Visualization;

namespace Uniformaly.Tests.Visualization;

public sealed class FigureTests
{
    [Test]
    public void FileName_IsSafe_AndLongNamesStayShortAndDistinct()
    {
        Assert.That(Figure.FileName("normal airplane+cat/dog"), Is.EqualTo("normal_airplane_cat_dog"));
        var thirty = "normal " + string.Join("+", Enumerable.Range(0, 30).Select(i => $"class_{i:D2}"));
        var other = "normal " + string.Join("+", Enumerable.Range(1, 30).Select(i => $"class_{i:D2}"));
        Assert.That(Figure.FileName(thirty), Has.Length.EqualTo(Figure.MaxFileName).And.StartWith("normal_class_00_class_01"));
        Assert.That(Figure.FileName(thirty), Is.Not.EqualTo(Figure.FileName(other)));
    }
}

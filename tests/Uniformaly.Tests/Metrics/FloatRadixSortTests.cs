using NUnit.Framework;
using Uniformaly.Research.Metrics;

namespace Uniformaly.Tests.Metrics;

public sealed class FloatRadixSortTests
{
    [TestCase(100)]
    [TestCase(100_000)]
    public void Sorts_LikeArraySort(int length)
    {
        var random = new Random(length);
        // Negative and positive values, exact ties, both zeros, subnormals and extremes.
        float[] special = [0f, -0f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, 1f, 1f, -1f];
        var values = Enumerable.Range(0, length).Select(i => i < special.Length ? special[i] : (float)(random.NextDouble() * 200 - 100)).ToArray();
        var expected = (float[])values.Clone();
        Array.Sort(expected);
        FloatRadixSort.Sort(values);
        Assert.That(values, Is.EqualTo(expected));
        for (var i = 1; i < values.Length; i++)
            Assert.That(BitConverter.SingleToInt32Bits(values[i - 1]) == BitConverter.SingleToInt32Bits(-0f) || values[i - 1] <= values[i]);
    }

    [Test]
    public void QuantizedScores_KeepTheirTies()
    {
        var values = Enumerable.Range(0, 50_000).Select(i => (float)(i % 7) / 3).Reverse().ToArray();
        FloatRadixSort.Sort(values);
        Assert.That(values.Distinct().Count(), Is.EqualTo(7));
        Assert.That(values, Is.Ordered);
    }
}

using Uniformaly.Research.Common;

namespace Uniformaly.Research.Clustering;

/// <summary>A K-means result: cluster per point, the centres and the sum of squared distances.</summary>
public sealed record KMeansResult(int[] Labels, double[][] Centers, double Inertia, int Iterations);

/// <summary>
/// K-means as sklearn runs it (algorithm="lloyd"): greedy k-means++ seeding with 2 + ln(k) local
/// trials, Lloyd iterations until the assignment is stable or the centres move less than tol
/// (relative to the data's mean per-feature variance), empty clusters refilled with the points
/// farthest from their centres, best of <c>restarts</c> runs by inertia. Seeded with the toolkit's
/// own generator, so runs repeat exactly; with explicit initial centres it follows sklearn's steps.
/// </summary>
public sealed class KMeans(int clusters, int restarts = 10, int maxIterations = 300, double tolerance = 1e-4, ulong seed = 0)
{
    public KMeansResult Fit(double[][] data)
    {
        Validate(data);
        var random = new SplitMix64(seed);
        KMeansResult? best = null;
        for (var run = 0; run < restarts; run++)
        {
            var result = FitFrom(data, KMeansPlusPlus(data, random));
            if (best is null || result.Inertia < best.Inertia) best = result;
        }
        return best!;
    }

    /// <summary>Lloyd iterations from the given initial centres (sklearn's init=array, n_init=1).</summary>
    public KMeansResult FitFrom(double[][] data, double[][] initialCenters)
    {
        Validate(data);
        if (initialCenters.Length != clusters) throw new ArgumentException($"{initialCenters.Length} initial centres for k = {clusters}");
        var tol = tolerance * MeanVariance(data);
        var centers = initialCenters.Select(c => (double[])c.Clone()).ToArray();
        int[] labels = [];
        int[]? previous = null;
        var (iterations, strictConvergence) = (0, false);
        // Step for step as sklearn's _kmeans_single_lloyd: assign, move the centres, then stop on an
        // unchanged assignment (strict) or on a total squared centre shift within tol.
        while (iterations < maxIterations)
        {
            labels = Assign(data, centers);
            var moved = Update(data, labels, centers);
            var shift = centers.Zip(moved, SquaredDistance).Sum();
            centers = moved;
            iterations++;
            if (previous is not null && labels.SequenceEqual(previous))
            {
                strictConvergence = true;
                break;
            }
            if (shift <= tol) break;
            previous = labels;
        }
        if (!strictConvergence) labels = Assign(data, centers);
        return new KMeansResult(labels, centers, Inertia(data, labels, centers), iterations);
    }

    private void Validate(double[][] data)
    {
        if (clusters < 1) throw new ArgumentOutOfRangeException(nameof(clusters), clusters, "k must be at least 1");
        if (data.Length < clusters)
            throw new ArgumentException($"k = {clusters} clusters but only {data.Length} images: k must not exceed the number of images");
        if (data.Any(row => row.Length != data[0].Length)) throw new ArgumentException("points differ in dimension");
    }

    /// <summary>sklearn's _kmeans_plusplus: first centre uniform; each next one is the best (lowest
    /// potential) of 2 + ln(k) candidates drawn with probability proportional to D(x)^2.</summary>
    private double[][] KMeansPlusPlus(double[][] data, SplitMix64 random)
    {
        var trials = 2 + (int)Math.Log(clusters);
        var centers = new List<double[]> { data[random.Next(0, data.Length)] };
        var closest = data.Select(x => SquaredDistance(x, centers[0])).ToArray();
        while (centers.Count < clusters)
        {
            var potential = closest.Sum();
            var (bestIndex, bestPotential, bestClosest) = (-1, double.PositiveInfinity, closest);
            for (var t = 0; t < trials; t++)
            {
                var candidate = Sample(closest, potential * random.NextDouble());
                var updated = data.Select((x, i) => Math.Min(closest[i], SquaredDistance(x, data[candidate]))).ToArray();
                var sum = updated.Sum();
                if (sum < bestPotential) (bestIndex, bestPotential, bestClosest) = (candidate, sum, updated);
            }
            centers.Add(data[bestIndex]);
            closest = bestClosest;
        }
        return centers.Select(c => (double[])c.Clone()).ToArray();
    }

    private static int Sample(double[] weights, double target)
    {
        double cumulative = 0;
        for (var i = 0; i < weights.Length; i++)
        {
            cumulative += weights[i];
            if (cumulative > target) return i;
        }
        return weights.Length - 1;
    }

    private static int[] Assign(double[][] data, double[][] centers) =>
        data.Select(x =>
        {
            var (best, bestDistance) = (0, double.PositiveInfinity);
            for (var c = 0; c < centers.Length; c++)
            {
                var d = SquaredDistance(x, centers[c]);
                if (d < bestDistance) (best, bestDistance) = (c, d);
            }
            return best;
        }).ToArray();

    /// <summary>Means of the assigned points. As in sklearn, an empty cluster takes the point
    /// farthest from its (old) centre, which leaves its own cluster.</summary>
    private static double[][] Update(double[][] data, int[] labels, double[][] centers)
    {
        var dim = data[0].Length;
        var sums = centers.Select(_ => new double[dim]).ToArray();
        var counts = new int[centers.Length];
        for (var i = 0; i < data.Length; i++)
        {
            counts[labels[i]]++;
            for (var d = 0; d < dim; d++) sums[labels[i]][d] += data[i][d];
        }
        var empty = Enumerable.Range(0, centers.Length).Where(c => counts[c] == 0).ToList();
        if (empty.Count > 0)
        {
            var farthest = Enumerable.Range(0, data.Length)
                .OrderByDescending(i => SquaredDistance(data[i], centers[labels[i]])).Take(empty.Count).ToList();
            foreach (var (c, point) in empty.Zip(farthest))
            {
                var from = labels[point];
                for (var d = 0; d < dim; d++)
                {
                    sums[from][d] -= data[point][d];
                    sums[c][d] = data[point][d];
                }
                counts[from]--;
                counts[c] = 1;
            }
        }
        for (var c = 0; c < centers.Length; c++)
            for (var d = 0; d < dim; d++) sums[c][d] /= counts[c];
        return sums;
    }

    private static double Inertia(double[][] data, int[] labels, double[][] centers) =>
        data.Select((x, i) => SquaredDistance(x, centers[labels[i]])).Sum();

    private static double MeanVariance(double[][] data)
    {
        var dim = data[0].Length;
        double total = 0;
        for (var d = 0; d < dim; d++)
        {
            var mean = data.Average(x => x[d]);
            total += data.Average(x => (x[d] - mean) * (x[d] - mean));
        }
        return total / dim;
    }

    private static double SquaredDistance(double[] a, double[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++) sum += (a[i] - b[i]) * (a[i] - b[i]);
        return sum;
    }
}

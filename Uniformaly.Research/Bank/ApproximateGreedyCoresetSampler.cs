using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Bank;

/// <summary>
/// PatchCore's approximate greedy coreset (docs/method.md section 6): rows are projected to a small space,
/// each row's distance starts as its mean Euclidean distance to a few random start rows, then
/// int(M * ratio) times the farthest row is taken and every distance becomes the minimum of
/// itself and the distance to the taken row. Distances are Euclidean (not squared), computed as
/// sqrt(clamp(|a|² − 2a·b + |b|², 0)) like the reference.
/// </summary>
public sealed class ApproximateGreedyCoresetSampler : IFeatureSampler
{
    private readonly CoresetStart? _start;

    /// <summary>Seeded default: the projection and start rows come from <see cref="CoresetStart.Seeded"/>.</summary>
    public ApproximateGreedyCoresetSampler(double ratio, ulong seed = 0, long projectedDim = 128, long startCount = 10)
    {
        Ratio = SamplerArguments.Ratio(ratio, nameof(ratio));
        Seed = seed;
        ProjectedDim = projectedDim > 0 ? projectedDim : throw new ArgumentOutOfRangeException(nameof(projectedDim), projectedDim, "must be at least 1");
        StartCount = startCount > 0 ? startCount : throw new ArgumentOutOfRangeException(nameof(startCount), startCount, "must be at least 1");
    }

    /// <summary>Explicit random choices (to reproduce another implementation's selection).
    /// The caller keeps ownership of the start's tensors.</summary>
    public ApproximateGreedyCoresetSampler(double ratio, CoresetStart start)
    {
        Ratio = SamplerArguments.Ratio(ratio, nameof(ratio));
        _start = start ?? throw new ArgumentNullException(nameof(start));
        ProjectedDim = start.Projection.Size(0);
        StartCount = start.StartRows.Size(0);
    }

    public double Ratio { get; }

    public ulong Seed { get; }

    public long ProjectedDim { get; }

    public long StartCount { get; }

    /// <inheritdoc/>
    public Tensor Select(Tensor features)
    {
        SamplerArguments.Features(features, nameof(features));
        var (rows, dim) = (features.Size(0), features.Size(1));
        using var scope = new DisposeScope();
        var start = _start ?? CoresetStart.Seeded(Seed, rows, dim, ProjectedDim, StartCount);
        start.Validate(rows, dim);
        var device = features.Device;
        var reduced = Functional.Linear(features.To(DType.Float32), start.Projection.To(device));
        var squaredNorms = (reduced * reduced).Sum(1, keepDim: true);
        var distances = Distances(reduced, squaredNorms, start.StartRows.To(device)).Mean(1);
        var selected = Tensor.Empty([SamplerArguments.Count(rows, Ratio)], DType.Int64, device);
        for (long i = 0; i < selected.Size(0); i++)
            distances = TakeFarthest(reduced, squaredNorms, distances, selected.Narrow(0, i, 1));
        return scope.MoveToOuter(selected);
    }

    /// <summary>One greedy step: writes the argmax row into <paramref name="slot"/> [1] and returns
    /// the updated distances [M]. Stays on the device (no host round trip per step).</summary>
    private static Tensor TakeFarthest(Tensor reduced, Tensor squaredNorms, Tensor distances, Tensor slot)
    {
        using var step = new DisposeScope();
        var farthest = distances.ArgMax(0, keepDim: true);
        slot.CopyFrom(farthest);
        var updated = distances.Minimum(Distances(reduced, squaredNorms, farthest).Squeeze(1));
        distances.Dispose();
        return step.MoveToOuter(updated);
    }

    /// <summary>Euclidean distances [M, S] from every projected row [M, P] to the rows <paramref name="to"/> [S].</summary>
    private static Tensor Distances(Tensor reduced, Tensor squaredNorms, Tensor to)
    {
        using var scope = new DisposeScope();
        var others = reduced.IndexSelect(0, to);
        var otherNorms = squaredNorms.IndexSelect(0, to).Reshape(1, -1);
        var squared = squaredNorms - reduced.Mm(others.Transpose(0, 1)) * 2 + otherNorms;
        return scope.MoveToOuter(squared.Clamp(min: 0).Sqrt());
    }
}

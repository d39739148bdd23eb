using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Bank;

/// <summary>The random choices of the approximate greedy coreset: the linear map to the
/// projected space and the start rows.</summary>
/// <param name="Projection">[P, D] float32: a row's projection is Projection · row (as F.linear).</param>
/// <param name="StartRows">[S] int64 row indices, S ≥ 1.</param>
public sealed record CoresetStart(Tensor Projection, Tensor StartRows)
{
    /// <summary>The seeded default, drawn on the CPU from libtorch's generator after
    /// ManualSeed(seed): Projection = rand(P, D) · 2/√D − 1/√D (uniform in ±1/√D, like
    /// PatchCore's bias-free nn.Linear), StartRows = randperm(M)[:min(S, M)].</summary>
    /// <remarks>Reseeds libtorch's global generator.</remarks>
    public static CoresetStart Seeded(ulong seed, long rows, long dim, long projectedDim = 128, long startCount = 10) =>
        new(SeededProjection(seed, dim, projectedDim), SeededStartRows(seed, rows, dim, projectedDim, startCount));

    /// <summary>The projection of <see cref="Seeded"/>, which does not depend on the number of rows,
    /// so that rows can be projected as they arrive.</summary>
    /// <remarks>Reseeds libtorch's global generator.</remarks>
    public static Tensor SeededProjection(ulong seed, long dim, long projectedDim = 128)
    {
        if (projectedDim < 1) throw new ArgumentOutOfRangeException(nameof(projectedDim), projectedDim, "must be at least 1");
        var bound = 1.0 / Math.Sqrt(dim);
        TorchRuntime.ManualSeed(seed);
        using var scope = new DisposeScope();
        return scope.MoveToOuter(Tensor.Rand([projectedDim, dim]) * (2 * bound) - bound);
    }

    /// <summary>The start rows of <see cref="Seeded"/>: drawn after the projection from the same seed.</summary>
    /// <remarks>Reseeds libtorch's global generator.</remarks>
    public static Tensor SeededStartRows(ulong seed, long rows, long dim, long projectedDim = 128, long startCount = 10)
    {
        if (startCount < 1) throw new ArgumentOutOfRangeException(nameof(startCount), startCount, "must be at least 1");
        SeededProjection(seed, dim, projectedDim).Dispose();
        using var scope = new DisposeScope();
        return scope.MoveToOuter(Tensor.RandPerm(rows).Narrow(0, 0, Math.Min(startCount, rows)));
    }

    /// <summary>Checks the projection against rows of width <paramref name="dim"/>.</summary>
    public void ValidateProjection(long dim)
    {
        if (Projection.Dim != 2 || Projection.Size(1) != dim || Projection.DType != DType.Float32)
            throw new ArgumentException($"coreset projection must be [P, {dim}] float32, got {Projection}", nameof(Projection));
    }

    /// <summary>Checks the start rows against <paramref name="rows"/> rows.</summary>
    public void ValidateStartRows(long rows)
    {
        if (StartRows.Dim != 1 || StartRows.Size(0) < 1 || StartRows.DType != DType.Int64)
            throw new ArgumentException($"coreset start rows must be a non-empty [S] int64 vector, got {StartRows}", nameof(StartRows));
        var starts = StartRows.ToArray<long>();
        if (starts.Any(s => s < 0 || s >= rows))
            throw new ArgumentException($"coreset start rows must lie in [0, {rows}), got [{string.Join(", ", starts)}]", nameof(StartRows));
    }
}

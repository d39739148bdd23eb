using System.Diagnostics;
using Uniformaly.Research.Common;
using Uniformaly.Research.Models;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Bank;

/// <summary>
/// PatchCore's approximate greedy coreset (docs/method.md section 6): rows are projected to a small space,
/// each row's distance starts as its mean Euclidean distance to a few random start rows, then
/// int(M * ratio) times the farthest row is taken and every distance becomes the minimum of
/// itself and the distance to the taken row. Distances are Euclidean (not squared), computed as
/// sqrt(clamp(|a|² − 2a·b + |b|², 0)) like the reference; the first of equal distances is taken,
/// as torch.argmax does.
/// </summary>
/// <remarks>A session keeps only the projected rows (P floats per row), projected as they arrive:
/// on the CPU row by row in a fixed order (<see cref="Tensor.CoresetProject"/>), so a row's
/// projection and hence the selection do not depend on how the rows were batched. With AVX-512 each
/// pick is one streaming pass over the projected rows in blocks of 16
/// (<see cref="Tensor.CoresetGreedy"/>), bounded by memory bandwidth; elsewhere (CUDA, other CPUs) a
/// few tensor ops per pick.</remarks>
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

    /// <summary>How the progress stage of the greedy picks is named (it starts after the projected
    /// rows are in place and ends with the last pick).</summary>
    public const string PickStageName = "coreset picks";

    /// <summary>false: the picks take the device-generic tensor path even where the CPU runs the
    /// blocked kernels, so that tests can compare the two.</summary>
    internal bool CpuKernels { get; init; } = true;

    /// <inheritdoc/>
    public ISamplingSession Begin(long dim, Device device)
    {
        var projection = _start?.Projection ?? CoresetStart.SeededProjection(Seed, dim, ProjectedDim);
        try
        {
            _start?.ValidateProjection(dim);
            return new Session(this, dim, device, projection.To(device));
        }
        finally
        {
            if (_start is null) projection.Dispose();
        }
    }

    private sealed class Session : ISamplingSession
    {
        // Projected rows per block of the store: a multiple of the kernels' 16-row blocks, 32 MiB at P = 128.
        private const long RowsPerBlock = 1 << 16;

        private readonly ApproximateGreedyCoresetSampler _sampler;
        private readonly long _dim;
        private readonly Device _device;
        private readonly Tensor _projection;
        private readonly RowStore _projected;

        public Session(ApproximateGreedyCoresetSampler sampler, long dim, Device device, Tensor projection)
        {
            (_sampler, _dim, _device) = (sampler, dim, device);
            _projection = projection.DetachFromDisposeScope();
            _projected = new RowStore(sampler.ProjectedDim, device, RowsPerBlock);
        }

        public long Rows => _projected.Count;

        public void Add(Tensor rows)
        {
            SamplerArguments.Rows(rows, _dim, nameof(rows));
            using var scope = new DisposeScope();
            var x = rows.To(_device, DType.Float32);
            _projected.Append(_device.IsCuda ? Functional.Linear(x, _projection) : Tensor.CoresetProject(x, _projection));
        }

        public Tensor Select(IProgressSink? progress = null)
        {
            var rows = Rows;
            if (rows == 0) throw new InvalidOperationException("the coreset has no rows to choose from");
            _sampler._start?.ValidateStartRows(rows);
            using var scope = new DisposeScope();
            var starts = _sampler._start?.StartRows ?? CoresetStart.SeededStartRows(_sampler.Seed, rows, _dim, _sampler.ProjectedDim, _sampler.StartCount);
            var selected = Tensor.Empty([SamplerArguments.Count(rows, _sampler.Ratio)], DType.Int64, _device);
            progress ??= NullProgress.Instance;
            if (!_device.IsCuda && _sampler.CpuKernels && Tensor.CoresetKernelsAvailable)
                PickBlocked(starts, selected, progress);
            else
                PickWithTensors(starts.To(_device), selected, progress);
            return scope.MoveToOuter(selected);
        }

        public void Dispose()
        {
            _projected.Dispose();
            _projection.Dispose();
        }

        /// <summary>The progress stage of the picks alone (what `bench coreset` times).</summary>
        private static IProgressStage PickStage(IProgressSink progress, Tensor selected, long rows) =>
            progress.Begin($"{PickStageName}: {selected.Size(0)} of {rows} rows", selected.Size(0));

        /// <summary>The CPU kernels: the projected rows repacked in blocks of 16 (the store freed block
        /// by block meanwhile), then the picks in calls of about a quarter second each.</summary>
        private void PickBlocked(Tensor starts, Tensor selected, IProgressSink progress)
        {
            var rows = Rows;
            var blocks = (rows + 15) / 16;
            var blocked = Tensor.Empty([blocks, _sampler.ProjectedDim, 16]);
            blocked.Select(0, blocks - 1).Fill(0);
            foreach (var (first, part) in _projected.Drain()) Tensor.CoresetPack(blocked, first, part);
            var (norms, distances) = (Tensor.Empty([blocks * 16]), Tensor.Empty([blocks * 16]));
            Tensor.CoresetStart(blocked, rows, starts, norms, distances);
            using var stage = PickStage(progress, selected, rows);
            long batch = 1;
            for (long done = 0; done < selected.Size(0);)
            {
                var count = Math.Min(batch, selected.Size(0) - done);
                var watch = Stopwatch.StartNew();
                Tensor.CoresetGreedy(blocked, norms, distances, selected, done, count);
                (done, batch) = (done + count, Math.Clamp((long)(count * 0.25 / Math.Max(watch.Elapsed.TotalSeconds, 1e-6)), 1, 1 << 20));
                stage.Advance(count);
            }
        }

        /// <summary>A few tensor ops per pick, on any device; stays there (no host round trip per pick).</summary>
        private void PickWithTensors(Tensor starts, Tensor selected, IProgressSink progress)
        {
            var rows = Rows;
            var reduced = Tensor.Empty([rows, _sampler.ProjectedDim], DType.Float32, _device);
            foreach (var (first, part) in _projected.Drain()) reduced.Narrow(0, first, part.Size(0)).CopyFrom(part);
            var squaredNorms = (reduced * reduced).Sum(1, keepDim: true);
            var distances = Distances(reduced, squaredNorms, starts).Mean(1);
            using var stage = PickStage(progress, selected, rows);
            for (long i = 0; i < selected.Size(0); i++)
            {
                distances = TakeFarthest(reduced, squaredNorms, distances, selected.Narrow(0, i, 1));
                stage.Advance();
            }
        }

        /// <summary>One greedy step: writes the argmax row into <paramref name="slot"/> [1] and returns
        /// the updated distances [M].</summary>
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
}

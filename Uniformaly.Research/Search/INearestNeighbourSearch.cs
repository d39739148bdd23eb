using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Search;

/// <summary>Finds the nearest memory-bank rows of query patch features (docs/method.md section 7).</summary>
public interface INearestNeighbourSearch
{
    /// <summary>The <paramref name="neighbours"/> nearest bank rows of each query.</summary>
    /// <param name="queries">[Q, D] float32 on any device (moved to the bank's device).</param>
    /// <param name="neighbours">n_nn ≥ 1, at most the bank size.</param>
    NearestNeighbours Search(Tensor queries, int neighbours = 1);
}

/// <summary>The result of a search, nearest first.</summary>
/// <param name="SquaredDistances">[Q, n_nn] float32 squared Euclidean distances (≥ 0).</param>
/// <param name="Indices">[Q, n_nn] int64 bank rows.</param>
public sealed record NearestNeighbours(Tensor SquaredDistances, Tensor Indices) : IDisposable
{
    /// <summary>Patch scores [Q] float32: the mean of the n_nn smallest squared distances
    /// (with n_nn = 1, the squared distance to the nearest row).</summary>
    public Tensor PatchScores() => SquaredDistances.Mean(1);

    public void Dispose()
    {
        SquaredDistances.Dispose();
        Indices.Dispose();
    }
}

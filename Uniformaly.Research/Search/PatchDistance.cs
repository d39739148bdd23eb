using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Search;

/// <summary>How a test patch's distance to the memory bank is measured (docs/method.md section 7).</summary>
public enum PatchDistance
{
    /// <summary>UniFormaly's: the squared Euclidean distance |q − b|².</summary>
    L2,

    /// <summary>AnomalyDINO's: the cosine distance 1 − cos(q, b).</summary>
    Cosine,
}

/// <summary>
/// The cosine distance as a Euclidean one: for L2-normalised rows |q̂ − b̂|² = 2 − 2 cos(q, b), so the
/// bank and the queries are normalised and the exact L2 search (float32, or the certified bfloat16
/// one, which returns the same neighbours) finds the nearest rows by cosine; half the squared
/// distance is 1 − cos. This is how AnomalyDINO computes it (faiss.normalize_L2, IndexFlatL2, / 2).
/// </summary>
public static class PatchDistances
{
    /// <summary>The rows [.., D] the search works on: as they are (l2) or divided by their norms (cosine;
    /// a zero row stays zero, as faiss.normalize_L2 leaves it).</summary>
    public static Tensor Rows(this PatchDistance distance, Tensor rows)
    {
        if (distance == PatchDistance.L2) return rows.Alias();
        using var scope = new DisposeScope();
        var norms = (rows * rows).Sum(-1, keepDim: true).Sqrt().Clamp(min: 1e-30);
        return scope.MoveToOuter(rows / norms);
    }

    /// <summary>Patch scores from the mean squared distance of the rows <see cref="Rows"/> gave: as it is (l2) or halved (cosine: 1 − cos).</summary>
    public static Tensor Scores(this PatchDistance distance, Tensor meanSquaredDistances) =>
        distance == PatchDistance.L2 ? meanSquaredDistances.Alias() : meanSquaredDistances * 0.5;
}

using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Bank;

/// <summary>Argument checks shared by the samplers.</summary>
internal static class SamplerArguments
{
    /// <summary>A subsampling fraction must lie in (0, 1].</summary>
    public static double Ratio(double ratio, string name) =>
        ratio is > 0 and <= 1 ? ratio : throw new ArgumentOutOfRangeException(name, ratio, "sampling ratio must be in (0, 1]");

    /// <summary>The features to sample from: a non-empty [M, D] matrix.</summary>
    public static void Features(Tensor features, string name)
    {
        if (features.Dim != 2 || features.Size(0) < 1)
            throw new ArgumentException($"features must be a non-empty [M, D] matrix, got {features}", name);
    }

    /// <summary>Rows added to a session: a [N, D] floating-point matrix of the session's width.</summary>
    public static void Rows(Tensor rows, long dim, string name)
    {
        if (rows.Dim != 2 || rows.Size(1) != dim || !rows.DType.IsFloatingPoint())
            throw new ArgumentException($"rows must be a floating-point [N, {dim}] matrix, got {rows}", name);
    }

    /// <summary>How many rows a fraction keeps: int(M * ratio), as PatchCore truncates.</summary>
    public static long Count(long rows, double ratio) => (long)(rows * ratio);
}

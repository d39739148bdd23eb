namespace Uniformaly.Research.Search;

/// <summary>How the search computes distances.</summary>
public enum SearchPrecision
{
    /// <summary>Float32 throughout: the exact reference (docs/method.md section 7), the default.</summary>
    Float32,

    /// <summary>
    /// The same exact answer, faster: a bfloat16 GEMM (twice float32's throughput on CPUs with bf16
    /// units, more on tensor cores) ranks the bank; a few candidates per query are measured in
    /// float32; a query is accepted only when a rigorous bound on the bfloat16 rounding proves that
    /// no other bank row can be nearer (see <see cref="BFloat16Ranking"/>), and every other query is
    /// searched again in float32. Neighbours are those of the float32 search (rows whose distances
    /// tie within float32 rounding excepted: exact ties go to the lower row); distances are float32.
    /// </summary>
    CertifiedBFloat16,
}

using System.Diagnostics;

namespace Uniformaly.Research.Search;

/// <summary>
/// Where <see cref="SearchPrecision.CertifiedBFloat16"/> spends its time, summed over searches
/// (seconds): <see cref="Ranking"/> the bfloat16 GEMM and candidate selection,
/// <see cref="Measurement"/> the candidates' float32 distances and the pick of the nearest,
/// <see cref="Proof"/> the bound and the test per query, <see cref="Fallback"/> the float32
/// searches of the queries the proof left open. Host wall time: meaningful where the work is
/// synchronous (the CPU); on CUDA it counts kernel launches, not the kernels.
/// </summary>
public sealed class CertifiedSearchTimings
{
    private long _ranking, _measurement, _proof, _fallback;

    public double Ranking => Seconds(ref _ranking);

    public double Measurement => Seconds(ref _measurement);

    public double Proof => Seconds(ref _proof);

    public double Fallback => Seconds(ref _fallback);

    internal void AddRanking(long since) => Interlocked.Add(ref _ranking, Stopwatch.GetTimestamp() - since);

    internal void AddMeasurement(long since) => Interlocked.Add(ref _measurement, Stopwatch.GetTimestamp() - since);

    internal void AddProof(long since) => Interlocked.Add(ref _proof, Stopwatch.GetTimestamp() - since);

    internal void AddFallback(long since) => Interlocked.Add(ref _fallback, Stopwatch.GetTimestamp() - since);

    private static double Seconds(ref long ticks) => (double)Interlocked.Read(ref ticks) / Stopwatch.Frequency;
}

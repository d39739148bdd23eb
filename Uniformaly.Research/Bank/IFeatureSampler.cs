using Uniformaly.Research.Common;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Bank;

/// <summary>Chooses which memory-bank rows to keep (docs/method.md section 6; PatchCore's sampler `run`),
/// from rows that arrive batch by batch, so that a bank can be built without holding every
/// training feature at once (<see cref="MemoryBankBuilder"/>).</summary>
public interface IFeatureSampler
{
    /// <summary>Starts a selection among rows of width <paramref name="dim"/> on <paramref name="device"/>.</summary>
    ISamplingSession Begin(long dim, Device device);
}

/// <summary>One selection in progress: rows are added in order, then chosen once.</summary>
public interface ISamplingSession : IDisposable
{
    /// <summary>Rows added so far.</summary>
    long Rows { get; }

    /// <summary>Adds rows [N, D] (floating point, on the session's device; the session keeps only what it needs of them).</summary>
    void Add(Tensor rows);

    /// <summary>The chosen rows' indices [K] int64 on the session's device, in selection order.</summary>
    Tensor Select(IProgressSink? progress = null);
}

public static class FeatureSamplerExtensions
{
    /// <summary>Selects rows of <paramref name="features"/> [M, D] (all at once).</summary>
    /// <returns>Row indices [K] int64 on the features' device, in selection order.</returns>
    public static Tensor Select(this IFeatureSampler sampler, Tensor features)
    {
        SamplerArguments.Features(features, nameof(features));
        using var session = sampler.Begin(features.Size(1), features.Device);
        session.Add(features);
        return session.Select();
    }
}

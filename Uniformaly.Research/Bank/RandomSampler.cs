using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Bank;

/// <summary>Keeps int(M * ratio) rows drawn uniformly without replacement.</summary>
/// <remarks>Reseeds libtorch's global generator with <see cref="Seed"/> when it selects, so a given
/// seed selects the same rows on every device (the permutation is drawn on the CPU).</remarks>
public sealed class RandomSampler : IFeatureSampler
{
    public RandomSampler(double ratio, ulong seed = 0)
    {
        Ratio = SamplerArguments.Ratio(ratio, nameof(ratio));
        Seed = seed;
    }

    public double Ratio { get; }

    public ulong Seed { get; }

    /// <inheritdoc/>
    public ISamplingSession Begin(long dim, Device device) => new CountingSession(dim, device, rows =>
    {
        TorchRuntime.ManualSeed(Seed);
        return Tensor.RandPerm(rows).Narrow(0, 0, SamplerArguments.Count(rows, Ratio));
    });
}

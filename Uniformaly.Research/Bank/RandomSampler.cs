using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Bank;

/// <summary>Keeps int(M * ratio) rows drawn uniformly without replacement.</summary>
/// <remarks>Reseeds libtorch's global generator with <see cref="Seed"/> on every call, so a given
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
    public Tensor Select(Tensor features)
    {
        SamplerArguments.Features(features, nameof(features));
        var rows = features.Size(0);
        using var scope = new DisposeScope();
        TorchRuntime.ManualSeed(Seed);
        var chosen = Tensor.RandPerm(rows).Narrow(0, 0, SamplerArguments.Count(rows, Ratio)).To(features.Device);
        return scope.MoveToOuter(chosen);
    }
}

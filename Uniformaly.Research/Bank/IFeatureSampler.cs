using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Bank;

/// <summary>Chooses which memory-bank rows to keep (docs/method.md section 6; PatchCore's sampler `run`).</summary>
public interface IFeatureSampler
{
    /// <summary>Selects rows of <paramref name="features"/>.</summary>
    /// <param name="features">[M, D] float32, on any device.</param>
    /// <returns>Row indices [K] int64 on the features' device, in selection order.</returns>
    Tensor Select(Tensor features);
}

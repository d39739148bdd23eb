namespace Uniformaly.Research.Bank;

/// <summary>Which sampler chooses the memory bank's rows (docs/method.md section 6).</summary>
public enum SamplerKind { Identity, Random, Coreset }

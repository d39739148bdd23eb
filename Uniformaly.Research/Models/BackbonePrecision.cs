namespace Uniformaly.Research.Models;

/// <summary>The arithmetic of the ViT's linear layers (qkv, proj, fc1 and fc2: about 90 % of its FLOPs).</summary>
public enum BackbonePrecision
{
    /// <summary>float32 throughout: the reference, and the default.</summary>
    Float32,

    /// <summary>
    /// Weights and layer inputs rounded to bfloat16 (8 significant bits), products and sums in
    /// float32, outputs float32; attention, norms and everything else stay float32. On CPUs with
    /// bfloat16 units (AVX512-BF16) oneDNN's bf16 GEMM runs at about twice float32's rate; elsewhere
    /// the same rounding is emulated in float32 (no faster). Features move by about bfloat16's
    /// precision, so scores change beyond float32 rounding: an option, never the default.
    /// </summary>
    BFloat16,
}

namespace Uniformaly.Research.Masking;

/// <summary>Which foreground mask keeps patches out of the scores (docs/method.md section 5).</summary>
public enum ForegroundMasking
{
    /// <summary>UniFormaly's Back Patch Masking, acting as --bpm says (binary, soft or off).</summary>
    Bpm,

    /// <summary>AnomalyDINO's mask from the first principal component of each test image's patch
    /// features (<see cref="PcaForegroundMasking"/>), where its per-category rule says to mask
    /// (<see cref="PcaMaskingRule"/>).</summary>
    Pca,

    /// <summary>No mask: every patch is kept and scored (the same as bpm with --bpm off).</summary>
    None,
}

namespace Uniformaly.Research.Checkpoints;

/// <summary>How a training checkpoint's keys map to backbone parameter names: wrapper prefixes
/// are stripped and self-supervision heads dropped (docs/method.md section 3).</summary>
public static class StateDictKeys
{
    /// <summary>Prefixes added by DistributedDataParallel (module.), DINO/iBOT's MultiCropWrapper
    /// (backbone.) and MoCo/MAE-style wrappers; stripped repeatedly from the front of a key.</summary>
    public static readonly IReadOnlyList<string> StrippedPrefixes = ["module.", "backbone.", "base_encoder.", "encoder."];

    /// <summary>First name components of projection and prediction heads, which the anomaly
    /// detector never uses (DINO/iBOT head.*, MoCo predictor/momentum encoder, SimCLR-style projector).</summary>
    public static readonly IReadOnlyList<string> IgnoredHeads = ["head", "heads", "projector", "predictor", "projection_head", "momentum_encoder"];

    /// <summary>The backbone parameter name of a checkpoint key, or null for a head's key.</summary>
    public static string? Normalize(string key)
    {
        var name = key;
        for (var stripped = true; stripped;)
        {
            stripped = false;
            foreach (var prefix in StrippedPrefixes)
            {
                if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
                name = name[prefix.Length..];
                stripped = true;
            }
        }
        var root = name.Split('.', 2)[0];
        return IgnoredHeads.Contains(root) ? null : name;
    }
}

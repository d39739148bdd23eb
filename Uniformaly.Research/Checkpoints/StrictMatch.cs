namespace Uniformaly.Research.Checkpoints;

/// <summary>Strict key and shape matching of a state dict against a model's parameters
/// (the reference loads with strict=False, which silently keeps random weights).</summary>
internal static class StrictMatch
{
    public static void Check(StateDict stateDict, IReadOnlyDictionary<string, long[]> expected)
    {
        var missing = expected.Keys.Where(k => !stateDict.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        var unexpected = stateDict.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        var mismatched = expected
            .Where(e => stateDict.TryGetValue(e.Key, out var t) && !t.Shape.SequenceEqual(e.Value))
            .Select(e => $"{e.Key} (checkpoint [{string.Join(", ", stateDict[e.Key].Shape)}], model [{string.Join(", ", e.Value)}])")
            .Order(StringComparer.Ordinal)
            .ToList();
        if (missing.Count + unexpected.Count + mismatched.Count == 0) return;

        var problems = new List<string>();
        if (missing.Count > 0) problems.Add($"missing keys ({missing.Count}): {string.Join(", ", missing)}");
        if (unexpected.Count > 0) problems.Add($"unexpected keys ({unexpected.Count}): {string.Join(", ", unexpected)}");
        if (mismatched.Count > 0) problems.Add($"shape mismatches ({mismatched.Count}): {string.Join(", ", mismatched)}");
        throw new CheckpointException(stateDict.Source, "does not match the model; " + string.Join("; ", problems));
    }
}

using System.Globalization;
using System.Text.Json.Nodes;

namespace Uniformaly.Research.Masking;

/// <summary>Patches seen, and how many of them Back Patch Masking removed (kept out of the memory bank in
/// training; scores zeroed at test).</summary>
public readonly record struct PatchCount(long Patches, long Removed)
{
    public static PatchCount operator +(PatchCount a, PatchCount b) => new(a.Patches + b.Patches, a.Removed + b.Removed);

    /// <summary>"1,234 of 3,920 (31.5 %)", or "none of 3,920".</summary>
    public string Text() => Removed == 0 ? $"none of {Count(Patches)}"
        : $"{Count(Removed)} of {Count(Patches)} ({(100.0 * Removed / Patches).ToString("F1", CultureInfo.InvariantCulture)} %)";

    /// <summary>"1,234 of the 3,920 training patches (31.5 %)", or "none of the 3,920 training patches".</summary>
    public string Text(string what) => Removed == 0 ? $"none of the {Count(Patches)} {what}"
        : $"{Count(Removed)} of the {Count(Patches)} {what} ({(100.0 * Removed / Patches).ToString("F1", CultureInfo.InvariantCulture)} %)";

    internal static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>
/// What Back Patch Masking did in one evaluation: how many training patches it kept out of the bank
/// and how many test patch scores it zeroed (docs/method.md section 5). Reports state it, so that a
/// run whose BPM removed nothing (a backbone whose attention is flat, such as random weights) cannot
/// pass for one that shows BPM's effect.
/// </summary>
/// <param name="Mode">Binary, soft or off.</param>
/// <param name="Train">Training patches, and those not in the bank's candidates.</param>
/// <param name="Test">Test patches, and those whose scores became 0.</param>
public sealed record MaskedPatches(BackPatchMaskingMode Mode, PatchCount Train, PatchCount Test)
{
    /// <summary>Whether BPM changed nothing: off, or binary without removing a patch (soft still weights every score).</summary>
    public bool NoEffect => Mode == BackPatchMaskingMode.Off || Mode == BackPatchMaskingMode.Binary && Train.Removed == 0 && Test.Removed == 0;

    public string ModeName => Mode.ToString().ToLowerInvariant();

    /// <summary>One sentence for a report.</summary>
    public string Sentence()
    {
        if (Mode == BackPatchMaskingMode.Off) return "Back Patch Masking was off: every patch was kept and no score was masked.";
        if (NoEffect)
            return $"Back Patch Masking (binary) removed no patch: all {PatchCount.Count(Train.Patches)} training patches went to the memory bank and none of the " +
                $"{PatchCount.Count(Test.Patches)} test patch scores was zeroed, because every patch's smoothed attention exceeded the threshold. BPM had no effect " +
                "on these results, and a sweep of its kernel size or threshold cannot show its effect (a backbone with flat attention, such as random weights, does this).";
        var removed = $"Back Patch Masking ({ModeName}) kept {Train.Text("training patches")} out of the memory bank and zeroed the scores of {Test.Text("test patches")}";
        return Mode == BackPatchMaskingMode.Soft ? removed + "; it weighted every other test patch score by its smoothed attention." : removed + ".";
    }

    /// <summary>The counts of several fits (one-class categories, normal sets) added up.</summary>
    public static MaskedPatches Sum(IReadOnlyList<MaskedPatches> all) => all[0] with
    {
        Train = all.Aggregate(new PatchCount(), (sum, m) => sum + m.Train), Test = all.Aggregate(new PatchCount(), (sum, m) => sum + m.Test),
    };

    public JsonObject ToJson() => new()
    {
        ["mode"] = ModeName,
        ["train_patches"] = Train.Patches, ["train_removed"] = Train.Removed,
        ["test_patches"] = Test.Patches, ["test_removed"] = Test.Removed,
        ["no_effect"] = NoEffect,
    };
}

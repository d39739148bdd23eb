using Uniformaly.Research.Common;
using Uniformaly.Research.Models;

namespace Uniformaly.Research.Settings;

/// <summary>
/// The settings that must fit the backbone: the layers and the attention layer exist in it, and the
/// crop holds at least one patch. Checked from the architecture alone, before weights are loaded.
/// </summary>
public static class BackboneFit
{
    /// <param name="settings">The detector's settings.</param>
    /// <param name="architecture">The backbone's shape.</param>
    /// <param name="where">How each setting is named in messages (default: as an option, --layers).</param>
    /// <exception cref="SettingException">a block that the backbone does not have, or a crop smaller than a patch.</exception>
    public static void Check(DetectorSettings settings, VitArchitecture architecture, Func<Setting, string>? where = null)
    {
        where ??= s => s.Option;
        var depth = architecture.Depth;
        var blocks = $"the backbone has {depth} blocks, numbered 1-{depth} ({architecture})";
        var beyond = settings.Layers.Where(l => l > depth).ToList();
        if (beyond.Count > 0)
            throw new SettingException($"{where(SettingTable.Layers)}: {Blocks(beyond)} {(beyond.Count == 1 ? "does" : "do")} not exist: {blocks}");
        if (settings.EffectiveAttentionLayer > depth)
            throw new SettingException($"{where(SettingTable.AttentionLayer)}: block {settings.EffectiveAttentionLayer} does not exist: {blocks}");
        if (settings.ImageSize < architecture.PatchSize)
            throw new SettingException($"{where(SettingTable.ImageSize)}: {settings.ImageSize} px is smaller than one patch of the backbone " +
                $"({architecture.PatchSize} px)");
    }

    private static string Blocks(IReadOnlyList<int> layers) => (layers.Count == 1 ? "block " : "blocks ") + LayerList.Format(layers);
}

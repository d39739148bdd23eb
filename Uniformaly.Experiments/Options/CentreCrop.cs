using static Uniformaly.Research.Settings.SettingTable;

namespace Uniformaly.Experiments.Options;

/// <summary>What the help of the commands that score images says about the part of the image they score.</summary>
public static class CentreCrop
{
    public static readonly string Help =
        $"Images are resized to {Resize.Option} and scored on their centre {ImageSize.Option} square, as in the paper, so defects " +
        $"near the border are not seen; to score the whole image give {ImageSize.Option} equal to {Resize.Option} " +
        "(a non-square image still loses the ends of its longer side)";
}

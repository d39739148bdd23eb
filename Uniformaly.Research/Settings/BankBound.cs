using Uniformaly.Research.Bank;
using Uniformaly.Research.Common;
using Uniformaly.Research.Search;

namespace Uniformaly.Research.Settings;

/// <summary>
/// The most patches a memory bank can hold, known before any image is embedded: every patch of
/// every training image, cut by the sampler's ratio (BPM can only make it smaller). A --nn above it
/// can never be met, so it is refused before the backbone runs; the bank that is finally built is
/// checked again by the detector.
/// </summary>
public static class BankBound
{
    /// <summary>N = (S/p)^2: the patches of an S x S image for a backbone of patch size p.</summary>
    public static long PatchesPerImage(int imageSize, int patchSize) => (long)(imageSize / patchSize) * (imageSize / patchSize);

    /// <summary>The bound for <paramref name="trainingImages"/> images of <paramref name="patchesPerImage"/> patches.</summary>
    public static long Of(DetectorSettings settings, long trainingImages, long patchesPerImage)
    {
        var patches = trainingImages * patchesPerImage;
        return settings.Sampler == SamplerKind.Identity ? patches : SamplerArguments.Count(patches, settings.SamplerRatio);
    }

    /// <exception cref="SettingException">the bank could hold no patch, or fewer than --nn.</exception>
    public static void Check(DetectorSettings settings, long trainingImages, long patchesPerImage, Func<Setting, string>? where = null)
    {
        where ??= s => s.Option;
        var bound = Of(settings, trainingImages, patchesPerImage);
        var how = $"{trainingImages} training images x {patchesPerImage} patches" +
                  (settings.Sampler == SamplerKind.Identity ? "" : $" x sampler-ratio {settings.SamplerRatio}");
        if (bound < 1)
            throw new SettingException($"{where(SettingTable.SamplerRatio)}: {settings.SamplerRatio} keeps no patch of {how}; raise it or train on more images");
        if (settings.NearestNeighbours > bound)
            throw new SettingException($"{where(SettingTable.Nn)}: {settings.NearestNeighbours} neighbours, but the memory bank holds at most {bound} patches ({how}); " +
                $"give at most {bound}");
    }

    /// <summary>The check of the bank that was built (after BPM dropped the background).</summary>
    /// <exception cref="SettingException">--nn exceeds the bank.</exception>
    public static void CheckBuilt(DetectorSettings settings, long bankSize)
    {
        if (settings.NearestNeighbours > bankSize)
            throw new SettingException($"{SettingTable.Nn.Option}: {settings.NearestNeighbours} neighbours, but the memory bank holds {bankSize} patches " +
                "after Back Patch Masking and sampling; give at most " + bankSize);
    }
}

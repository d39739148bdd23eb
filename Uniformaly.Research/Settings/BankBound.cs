using Uniformaly.Research.Bank;
using Uniformaly.Research.Common;
using Uniformaly.Research.Imaging;
using Uniformaly.Research.Search;

namespace Uniformaly.Research.Settings;

/// <summary>
/// The most patches a memory bank can hold, known before any image is read: every patch of every
/// training image, cut by the sampler's ratio (BPM can only make it smaller). A --nn above it can
/// never be met, so it is refused before the backbone runs; the patches BPM kept are checked again
/// by the detector before it samples them.
/// </summary>
public static class BankBound
{
    /// <summary>N = (S/p)^2: the patches of an S x S image for a backbone of patch size p.</summary>
    public static long PatchesPerImage(int imageSize, int patchSize) => (long)(imageSize / patchSize) * (imageSize / patchSize);

    /// <summary>The bank rows the sampler keeps of <paramref name="patches"/> rows.</summary>
    public static long Of(DetectorSettings settings, long patches) =>
        settings.Sampler == SamplerKind.Identity ? patches : SamplerArguments.Count(patches, settings.SamplerRatio);

    /// <exception cref="SettingException">the bank could hold no patch, or fewer than --nn.</exception>
    public static void Check(DetectorSettings settings, long trainingImages, long patchesPerImage, Func<Setting, string>? where = null)
    {
        where ??= s => s.Option;
        var rotations = settings.RotateReferences ? ReferenceRotation.Angles.Count : 1;
        var bound = Of(settings, trainingImages * rotations * patchesPerImage);
        var how = $"{trainingImages} training images{(rotations > 1 ? $" x {rotations} rotations" : "")} x {patchesPerImage} patches" +
                  (settings.Sampler == SamplerKind.Identity ? "" : $" x sampler-ratio {settings.SamplerRatio}");
        if (bound < 1)
            throw new SettingException($"{where(SettingTable.SamplerRatio)}: {settings.SamplerRatio} keeps no patch of {how}; raise it or train on more images");
        if (settings.NearestNeighbours > bound)
            throw new SettingException($"{where(SettingTable.Nn)}: {settings.NearestNeighbours} neighbours, but the memory bank holds at most {bound} patches ({how}); " +
                $"give at most {bound}");
    }

    /// <summary>The check of the patches BPM kept, before the sampler runs.</summary>
    /// <exception cref="SettingException">--nn exceeds the bank they make.</exception>
    public static void CheckKept(DetectorSettings settings, long keptPatches)
    {
        var bank = Of(settings, keptPatches);
        if (settings.NearestNeighbours > bank)
            throw new SettingException($"{SettingTable.Nn.Option}: {settings.NearestNeighbours} neighbours, but Back Patch Masking kept {keptPatches} " +
                $"patches of the training images, which make a memory bank of {bank}; give at most {bank}");
    }
}

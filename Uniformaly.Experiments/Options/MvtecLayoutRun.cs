using Uniformaly.Research.Data;
using Uniformaly.Research.Evaluation;
using Uniformaly.Research.Settings;
using Uniformaly.Research.Torch;
using static Uniformaly.Research.Settings.SettingTable;

namespace Uniformaly.Experiments.Options;

/// <summary>What run and cluster read from an MVTec-layout dataset, from their settings.</summary>
public static class MvtecLayoutRun
{
    /// <param name="values">The command's settings (multiclass and save-maps when it takes them).</param>
    /// <param name="detector">The detector they describe.</param>
    /// <param name="device">Where it runs.</param>
    /// <param name="output">The output folder.</param>
    public static EvaluationOptions Options(SettingValues values, DetectorSettings detector, Device device, string output) => new()
    {
        Dataset = DatasetKinds.Of(values.Get(Dataset)),
        DataRoot = values.Get(DataRoot)!,
        Categories = values.Get(Categories),
        MultiClass = values.Has(MultiClass) && values.Get(MultiClass),
        LowShot = values.Get(SettingTable.LowShot),
        Detector = detector,
        SettingNames = values.Naming(),
        Device = device,
        BatchSize = values.Get(BatchSize),
        SaveMaps = values.Has(SaveMaps) && values.Get(SaveMaps),
        SkipBadImages = values.Get(SkipBadImages),
        OutputFolder = Path.GetFullPath(output),
    };
}

using Uniformaly.Research.Decisions;

namespace Uniformaly.Research.Settings;

/// <summary>How raw scores become decisions: fit's calibration and predict's thresholds (docs/method.md section 20).</summary>
public static partial class SettingTable
{
    public static Setting<int> CalibrationFolds { get; } = new("calibration-folds",
        "fit: cross-fit folds for calibration; each normal training image is scored by a bank built without its fold", 5,
        ValueKinds.Whole(2, 100));

    public static Setting<string?> Validation { get; } = new("validation",
        "fit: labelled images for F1-optimal thresholds: a folder with good/ and one subfolder per defect type (an MVTec-layout " +
        "category's test/, masks in ../ground_truth), or an MVTec-layout category", null,
        ValueKinds.Optional(ValueKinds.Text("a folder path", "folder")));

    public static Setting<DecisionPolicy> Decision { get; } = new("decision",
        "predict: how labels are decided: f1 (F1-optimal on fit's validation images), false-alarm (at most --false-alarm-rate of " +
        "normal images called anomalous) or auto (f1 when the model has validation thresholds, else false-alarm)",
        DecisionPolicy.Auto, ValueKinds.Choice(("auto", DecisionPolicy.Auto), ("f1", DecisionPolicy.F1), ("false-alarm", DecisionPolicy.FalseAlarm)));

    public static Setting<double> FalseAlarmRate { get; } = new("false-alarm-rate",
        "predict: the highest share of normal images the false-alarm decision may call anomalous", 0.01,
        ValueKinds.Number(new Interval(0, false, 1, false)));
}

using Uniformaly.Research.Settings;

namespace Uniformaly.Experiments.Options;

/// <summary>Settings of single commands that are not part of a detector or dataset (where results
/// go, what a benchmark measures): declared beside their command, derived into options like the table's.</summary>
public static class OwnSettings
{
    /// <summary>A required path (an output folder or file, a model folder).</summary>
    public static Setting<string?> Path(string name, string help, bool required = true) =>
        new(name, help, null, ValueKinds.Optional(ValueKinds.Text("a path", "path"))) { Required = required };

    /// <summary>A whole number of at least <paramref name="min"/>.</summary>
    public static Setting<T> Whole<T>(string name, string help, T defaultValue, T min, T? max = null)
        where T : struct, System.Numerics.IBinaryInteger<T>, System.Numerics.IMinMaxValue<T> =>
        new(name, help, defaultValue, ValueKinds.Whole(min, max ?? T.MaxValue));

    /// <summary>A path with a default.</summary>
    public static Setting<string> Path(string name, string help, string defaultValue) =>
        new(name, help, defaultValue, ValueKinds.Text("a path", "path"));

    /// <summary>A number in <paramref name="interval"/>.</summary>
    public static Setting<double> Number(string name, string help, double defaultValue, Interval interval) =>
        new(name, help, defaultValue, ValueKinds.Number(interval));

    /// <summary>Text without a default.</summary>
    public static Setting<string?> Text(string name, string help, string accepted) =>
        new(name, help, null, ValueKinds.Optional(ValueKinds.Text(accepted, "text")));

    public static Setting<bool> Flag(string name, string help) => new(name, help, false, ValueKinds.Flag);
}

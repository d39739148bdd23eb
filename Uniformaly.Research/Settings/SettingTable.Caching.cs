namespace Uniformaly.Research.Settings;

/// <summary>The feature cache: where the backbone's features are kept so that later work reuses them.
/// Neither changes what is computed.</summary>
public static partial class SettingTable
{
    public static Setting<string?> CacheDir { get; } = new("cache-dir",
        "Feature cache folder: each image's backbone features are kept there, so a repeated or interrupted command does not compute them " +
        "again (run, cluster: no cache unless given; reproduce: default $UNIFORMALY_CACHE or ~/.cache/uniformaly/features)",
        null, ValueKinds.Optional(ValueKinds.Text("a folder path", "folder")));

    public static Setting<double> CacheLimit { get; } = new("cache-limit-gb",
        "Feature cache size limit in GiB; least recently used entries go first", 20, ValueKinds.Number(new Interval(0, false, 1 << 20, true)));
}

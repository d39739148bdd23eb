using Uniformaly.Research.Common;
using Uniformaly.Research.Settings;
using YamlDotNet.RepresentationModel;

namespace Uniformaly.Experiments.Options;

/// <summary>
/// <c>--config FILE</c>: a YAML (or JSON) mapping of a command's settings by name
/// (<c>data-root: /data/mvtec</c>), values as on the command line, lists for several values. A
/// settings.json that run, fit or cluster wrote is one: its <see cref="SettingsFile.AboutKey"/>
/// part is skipped. Values given on the command line win.
/// </summary>
public static class ConfigFile
{
    public const string OptionName = "--config";

    /// <summary>One setting of the file: its key, its values as command-line tokens, and where it is for messages.</summary>
    public sealed record Entry(string Key, IReadOnlyList<string> Tokens, string Where);

    /// <summary>The file's settings, in order; the informational part of a settings.json is skipped.</summary>
    /// <exception cref="SettingException">the file is missing, not YAML, or not a flat mapping of values.</exception>
    public static IReadOnlyList<Entry> Read(string path)
    {
        if (!File.Exists(path)) throw new SettingException($"{OptionName}: file not found: {path}");
        var stream = new YamlStream();
        try
        {
            using var reader = File.OpenText(path);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new SettingException($"{path}: not valid YAML or JSON ({e.Message})");
        }
        if (stream.Documents.Count == 0) return [];
        if (stream.Documents[0].RootNode is not YamlMappingNode mapping)
            throw new SettingException($"{path}: expected a mapping of setting: value");
        var entries = new List<Entry>();
        foreach (var (keyNode, value) in mapping.Children)
        {
            var key = Scalar(keyNode, path);
            var where = $"{path}: {key} (line {keyNode.Start.Line})";
            if (key == SettingsFile.AboutKey) continue;
            entries.Add(new Entry(key, value switch
            {
                YamlScalarNode scalar => [scalar.Value ?? ""],
                YamlSequenceNode list => [.. list.Children.Select(c => Scalar(c, path))],
                _ => throw new SettingException($"{where}: expected a value or a list of values, not a mapping"),
            }, where));
        }
        return entries;
    }

    private static string Scalar(YamlNode node, string path) =>
        node is YamlScalarNode { Value: { } value } ? value : throw new SettingException($"{path}: expected a plain value (line {node.Start.Line})");
}

using System.CommandLine;
using YamlDotNet.RepresentationModel;

namespace Uniformaly.Experiments;

/// <summary>
/// <c>--config FILE.yaml</c>: a plain YAML mapping whose keys are a command's option names without
/// the dashes (<c>data-root: /data/mvtec</c>). Its values become command-line arguments for the
/// options the command line did not set, so values given on the command line win and both go
/// through the same parsing and validation.
/// </summary>
public static class ConfigFile
{
    public const string OptionName = "--config";

    /// <summary>The arguments with the config file's settings added where the command line is silent.</summary>
    public static string[] Merge(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        var configOption = parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == OptionName);
        if (configOption is null || parse.GetResult(configOption) is not { Implicit: false } given) return args;
        var path = given.Tokens.Count == 1 ? given.Tokens[0].Value : throw new ArgumentException($"{OptionName} takes one file");
        var extra = new List<string>();
        foreach (var (key, value) in Read(path))
        {
            var option = parse.CommandResult.Command.Options.FirstOrDefault(o => o.Name == "--" + key)
                ?? throw new ArgumentException($"{path}: unknown setting '{key}' for '{parse.CommandResult.Command.Name}'");
            if (parse.GetResult(option) is { Implicit: false }) continue; // the command line wins
            extra.AddRange(ToArguments(option, value, path));
        }
        return [.. args, .. extra];
    }

    /// <summary>The top-level scalar and list settings of a YAML mapping, lists joined by commas.</summary>
    public static IReadOnlyList<(string Key, string Value)> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"config file not found: {path}", path);
        var stream = new YamlStream();
        try
        {
            using var reader = File.OpenText(path);
            stream.Load(reader);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ArgumentException($"{path}: not valid YAML ({e.Message})", e);
        }
        if (stream.Documents.Count == 0) return [];
        if (stream.Documents[0].RootNode is not YamlMappingNode mapping)
            throw new ArgumentException($"{path}: expected a mapping of setting: value");
        return mapping.Children.Select(entry => (Scalar(entry.Key, path), Value(entry.Value, path))).ToList();
    }

    private static string Value(YamlNode node, string path) => node switch
    {
        YamlScalarNode scalar => scalar.Value ?? "",
        YamlSequenceNode list => string.Join(",", list.Children.Select(c => Scalar(c, path))),
        _ => throw new ArgumentException($"{path}: nested mappings are not settings (line {node.Start.Line})"),
    };

    private static string Scalar(YamlNode node, string path) =>
        node is YamlScalarNode { Value: { } value } ? value : throw new ArgumentException($"{path}: expected a plain value (line {node.Start.Line})");

    private static IEnumerable<string> ToArguments(Option option, string value, string path)
    {
        if (option.ValueType != typeof(bool)) return [option.Name, value];
        return bool.TryParse(value, out var flag)
            ? (flag ? [option.Name] : [])
            : throw new ArgumentException($"{path}: '{option.Name[2..]}' must be true or false, not '{value}'");
    }
}

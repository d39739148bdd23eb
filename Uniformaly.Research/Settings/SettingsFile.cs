using System.Text.Json;
using System.Text.Json.Nodes;
using Uniformaly.Research.Common;
using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Settings;

/// <summary>
/// settings.json, as run, fit, cluster and reproduction cells write it: a flat mapping of setting
/// names to the values in effect (the keys of <see cref="SettingTable"/>, so the file is a valid
/// <c>--config</c> for the command that wrote it), and under <see cref="AboutKey"/> what is only
/// informational (the command, versions, the backbone loaded), which --config skips. A model
/// folder's settings.json is the same file, written by fit.
/// </summary>
public static class SettingsFile
{
    public const string FileName = "settings.json";

    /// <summary>The key of the informational part, skipped when settings are read.</summary>
    public const string AboutKey = "about";

    // Relaxed escaping: version strings keep their '+', paths their characters.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The informational part every settings.json starts from: the command that wrote it and the versions.</summary>
    public static JsonObject About(string command) => new()
    {
        ["command"] = command, ["uniformaly"] = ToolkitVersion.Text, ["libtorch"] = TorchRuntime.Version,
    };

    /// <summary>The file's text: the settings of the table among <paramref name="values"/> (not where results
    /// went, nor a command's own), then <paramref name="about"/>.</summary>
    public static string Text(SettingValues values, JsonObject about)
    {
        var json = values.ToJson(SettingGroups.All);
        json[AboutKey] = about;
        return json.ToJsonString(Indented) + "\n";
    }

    /// <summary>Writes <paramref name="values"/> and <paramref name="about"/> to <paramref name="path"/>, atomically.</summary>
    public static void Write(string path, SettingValues values, JsonObject about) => AtomicFile.WriteAllText(path, Text(values, about));

    /// <summary>Reads the settings of <paramref name="path"/> among <paramref name="accepted"/> (the others keep their defaults).</summary>
    /// <exception cref="SettingException">not JSON, an unknown key, or a value a setting does not accept; the message names the file and key.</exception>
    public static SettingValues Read(string path, IReadOnlyList<Setting> accepted)
    {
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new SettingException($"{path}: expected a JSON object of setting: value");
        }
        catch (JsonException e)
        {
            throw new SettingException($"{path}: not valid JSON ({e.Message})");
        }
        // Unknown keys first: an earlier uniformaly's file may share a key with a later setting ('masking').
        if (json.FirstOrDefault(entry => entry.Key != AboutKey && SettingTable.Find(accepted, entry.Key) is null).Key is { } unknown)
            throw Unknown(path, unknown, json, accepted);
        var values = new SettingValues(accepted);
        foreach (var (key, node) in json)
        {
            if (key == AboutKey || node is null) continue;
            var setting = SettingTable.Find(accepted, key)!;
            values.Parse(setting, Tokens(node, setting, $"{path}: {key}"), $"{path}: {key}");
        }
        return values;
    }

    /// <summary>A JSON value as the tokens the command line would give: numbers and true/false as written,
    /// a list as one token per item for list settings and joined by commas for the others (layers [3, 4]).</summary>
    private static IReadOnlyList<string> Tokens(JsonNode node, Setting setting, string where) => node switch
    {
        JsonValue value => [Scalar(value)],
        JsonArray list when setting.IsList => [.. list.Select(item => item is JsonValue v ? Scalar(v) : throw NotAValue(where))],
        JsonArray list => [string.Join(",", list.Select(item => item is JsonValue v ? Scalar(v) : throw NotAValue(where)))],
        _ => throw NotAValue(where),
    };

    private static string Scalar(JsonValue value) =>
        value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();

    private static SettingException NotAValue(string where) => new($"{where}: expected a value or a list of values, not a mapping");

    /// <summary>An unknown key; a file without the informational part whose keys are snake_case was
    /// written by an earlier Uniformaly, which spelled settings otherwise.</summary>
    private static SettingException Unknown(string path, string key, JsonObject json, IReadOnlyList<Setting> accepted) =>
        !json.ContainsKey(AboutKey) && json.Any(entry => entry.Key.Contains('_'))
            ? new($"{path} was written by an earlier uniformaly, which spelled settings otherwise ('{key}'); this version reads the " +
                  "command line's names (topk, knn-precision, imagesize, ...): for a model folder, fit the model again with the same options")
            : new($"{path}: unknown setting '{key}'; known: {TextList.Commas(accepted.Select(s => s.Name))}");
}

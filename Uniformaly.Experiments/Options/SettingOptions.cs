using System.CommandLine;
using System.CommandLine.Parsing;
using Uniformaly.Research.Common;
using Uniformaly.Research.Settings;

namespace Uniformaly.Experiments.Options;

/// <summary>
/// A command's options, derived from settings (the table's, <see cref="SettingTable"/>, and the
/// command's own): one option per setting, named, described and checked as the setting says, so a
/// wrong value is reported in the setting's words before the command runs. <see cref="Read"/> gives
/// the values: the command line's, else (with <c>--config</c>) the file's, else the defaults.
/// </summary>
public sealed class SettingOptions
{
    private readonly Command _command;
    private readonly List<(Setting Setting, Option Option)> _options = [];
    private readonly Option<string?>? _config;
    private readonly IReadOnlyDictionary<Setting, object?> _defaults;

    /// <param name="command">The command to add the options to.</param>
    /// <param name="settings">Its settings, in the order of its help.</param>
    /// <param name="config">Also add --config FILE, whose keys are these settings' names.</param>
    /// <param name="defaults">Defaults of this command that differ from the settings' own (a benchmark's
    /// cheap backbone; reproduce's backbone, which is each definition's unless given).</param>
    public SettingOptions(Command command, IEnumerable<Setting> settings, bool config = false, IReadOnlyDictionary<Setting, object?>? defaults = null)
    {
        _command = command;
        _defaults = defaults ?? new Dictionary<Setting, object?>();
        foreach (var setting in settings.Distinct())
        {
            var option = Create(setting, _defaults.TryGetValue(setting, out var own) ? DefaultText(setting, own) : setting.DefaultText);
            command.Options.Add(option);
            _options.Add((setting, option));
        }
        if (!config) return;
        _config = new Option<string?>(ConfigFile.OptionName)
        {
            Description = "YAML or JSON file of these settings by name (data-root: DIR); a settings.json this command wrote is one. The command line wins",
            HelpName = "file",
        };
        command.Options.Add(_config);
    }

    public IEnumerable<Setting> Settings => _options.Select(o => o.Setting);

    /// <summary>The settings' values: given on the command line, else in the --config file, else the defaults.</summary>
    /// <exception cref="SettingException">a config file's key or value is wrong, or a required setting is missing.</exception>
    public SettingValues Read(ParseResult parse)
    {
        var values = new SettingValues(Settings);
        foreach (var (setting, value) in _defaults) values.SetDefault(setting, value);
        var fromFile = ConfigEntries(parse);
        foreach (var (setting, option) in _options)
        {
            if (parse.GetResult(option) is { Implicit: false } given)
                values.Parse(setting, Tokens(setting, given), setting.Option);
            else if (fromFile.TryGetValue(setting.Name, out var entry))
                values.Parse(setting, setting.IsList ? entry.Tokens : [string.Join(",", entry.Tokens)], entry.Where);
        }
        values.CheckRequired(_config is null ? "" : $" (on the command line or in the {ConfigFile.OptionName} file)");
        return values;
    }

    private Dictionary<string, ConfigFile.Entry> ConfigEntries(ParseResult parse)
    {
        if (_config is null || parse.GetValue(_config) is not { } path) return [];
        var entries = new Dictionary<string, ConfigFile.Entry>(StringComparer.Ordinal);
        foreach (var entry in ConfigFile.Read(path))
        {
            if (!Settings.Any(s => s.Name == entry.Key))
                throw new SettingException($"{entry.Where}: '{entry.Key}' is not a setting of `uniformaly {_command.Name}`" +
                    (TextList.Closest(entry.Key, Settings.Select(s => s.Name)) is { } near ? $"; did you mean '{near}'?" : ""));
            entries[entry.Key] = entry;
        }
        return entries;
    }

    /// <summary>What the command line gave: a flag alone means true.</summary>
    private static IReadOnlyList<string> Tokens(Setting setting, OptionResult result) =>
        setting.IsFlag && result.Tokens.Count == 0 ? ["true"] : [.. result.Tokens.Select(t => t.Value)];

    /// <summary>The option of <paramref name="setting"/>: its name, help (with the accepted values and the
    /// default) and a check of every value in the setting's words.</summary>
    public static Option Create(Setting setting, string? defaultText)
    {
        Option option = setting.IsFlag ? new Option<bool>(setting.Option)
            : setting.IsList ? new Option<string[]>(setting.Option) { AllowMultipleArgumentsPerToken = true }
            : new Option<string>(setting.Option);
        if (!setting.IsFlag) option.HelpName = setting.HelpName;
        option.Description = setting.Help + (setting.AcceptedInHelp ? $": {setting.Accepted}" : "") +
            (defaultText is { Length: > 0 } d && !setting.IsFlag ? $" [default: {d}]" : "") + (setting.Required ? " (required)" : "");
        option.Validators.Add(result =>
        {
            if (setting.IsList && result.Tokens.FirstOrDefault(t => t.Value.StartsWith('-')) is { } stray)
            {
                result.AddError($"{setting.Option}: '{stray.Value}' is not an option of `uniformaly {CommandOf(result).Name}`" +
                    (Closest(stray.Value, CommandOf(result)) is { } near ? $"; did you mean {near}?" : "") +
                    $" (a file whose name starts with - is given as ./{stray.Value})");
                return;
            }
            try
            {
                setting.ParseValue(Tokens(setting, result), setting.Option);
            }
            catch (SettingException e)
            {
                result.AddError(e.Message);
            }
        });
        return option;
    }

    private static string? DefaultText(Setting setting, object? value) => value is null ? null : string.Join(" ", setting.ToTokens(value));

    private static Command CommandOf(OptionResult result) => ((CommandResult)result.Parent!).Command;

    /// <summary>The command's option nearest to a mistyped one, or null.</summary>
    public static string? Closest(string typed, Command command) =>
        TextList.Closest(typed, command.Options.Where(o => !o.Hidden).Select(o => o.Name));
}

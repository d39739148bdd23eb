using System.Text.Json.Nodes;
using Uniformaly.Research.Common;

namespace Uniformaly.Research.Settings;

/// <summary>
/// The values of a command's settings, each with where it came from (<c>--kernel</c>, a config
/// file's key, a definition's line) for messages, and whether it was given or is the default.
/// Values enter only through <see cref="Parse"/> (text, checked by the setting) or
/// <see cref="Set"/> (values already checked).
/// </summary>
public sealed class SettingValues
{
    private readonly List<Setting> _settings;
    private readonly Dictionary<Setting, (object? Value, string Where, bool Given)> _values = [];

    /// <summary>The settings with their defaults.</summary>
    public SettingValues(IEnumerable<Setting> settings)
    {
        _settings = [.. settings.Distinct()];
        foreach (var setting in _settings) _values[setting] = (setting.DefaultValue, setting.Option, false);
    }

    private SettingValues(SettingValues other)
    {
        _settings = [.. other._settings];
        _values = new Dictionary<Setting, (object?, string, bool)>(other._values);
    }

    public IReadOnlyList<Setting> Settings => _settings;

    public bool Has(Setting setting) => _values.ContainsKey(setting);

    public T Get<T>(Setting<T> setting) => (T)Entry(setting).Value!;

    /// <summary>The value of any setting, untyped.</summary>
    public object? Value(Setting setting) => Entry(setting).Value;

    /// <summary>Whether the value was given (rather than being the default).</summary>
    public bool IsGiven(Setting setting) => Entry(setting).Given;

    /// <summary>Where the value came from, for messages: <c>--kernel</c> (also for defaults) or <c>FILE: kernel</c>.</summary>
    public string Where(Setting setting) => Entry(setting).Where;

    /// <summary>How each setting is named in messages: where its value came from, else as an option.</summary>
    public Func<Setting, string> Naming() => s => Has(s) ? Where(s) : s.Option;

    /// <summary>Parses <paramref name="tokens"/> as <paramref name="setting"/>'s value.</summary>
    /// <exception cref="SettingException">not an accepted value, or not a setting of this command.</exception>
    public void Parse(Setting setting, IReadOnlyList<string> tokens, string where) =>
        Set(setting, setting.ParseValue(tokens, where), where);

    /// <summary>Sets a value that is known to be valid (parsed, or computed by the toolkit).</summary>
    public void Set<T>(Setting<T> setting, T value, string where) => Set((Setting)setting, value, where);

    /// <summary>Sets a value that is known to be valid (parsed, or computed by the toolkit).</summary>
    public void Set(Setting setting, object? value, string where)
    {
        if (!Has(setting)) throw new SettingException($"{where}: '{setting.Name}' is not a setting here");
        _values[setting] = (value, where, true);
    }

    /// <summary>Replaces a setting's default (a command whose own default differs: a benchmark's backbone).</summary>
    public void SetDefault(Setting setting, object? value) => _values[setting] = (value, setting.Option, false);

    /// <summary>Adds <paramref name="setting"/> (at its default) if it is not there yet.</summary>
    public SettingValues Include(Setting setting)
    {
        if (_values.TryAdd(setting, (setting.DefaultValue, setting.Option, false))) _settings.Add(setting);
        return this;
    }

    /// <summary>Fails for the first required setting that was not given.</summary>
    public void CheckRequired(string how)
    {
        if (_settings.FirstOrDefault(s => s.Required && !IsGiven(s)) is { } missing)
            throw new SettingException($"{missing.Option} is required{how}");
    }

    public SettingValues Copy() => new(this);

    /// <summary>The flat settings.json mapping: every setting among <paramref name="only"/> with a value, by name, in order.</summary>
    public JsonObject ToJson(IReadOnlyCollection<Setting> only)
    {
        var json = new JsonObject();
        foreach (var setting in _settings.Where(only.Contains))
            if (Entry(setting).Value is { } value) json[setting.Name] = setting.ToJson(value);
        return json;
    }

    private (object? Value, string Where, bool Given) Entry(Setting setting) =>
        _values.TryGetValue(setting, out var entry) ? entry : throw new InvalidOperationException($"'{setting.Name}' is not among these settings");
}

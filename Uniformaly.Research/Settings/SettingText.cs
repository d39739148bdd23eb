using Uniformaly.Research.Common;

namespace Uniformaly.Research.Settings;

/// <summary>
/// A setting's value as a user wrote it (in a reproduction definition, a sweep point, --set), and
/// where, for messages. Made by <see cref="Of"/>, which checks the key and the value at once, so a
/// wrong entry fails when its file is read rather than when its cell runs.
/// </summary>
public sealed record SettingText(Setting Setting, string Text, string Where)
{
    /// <summary>The entry <paramref name="key"/>: <paramref name="text"/>, checked against <paramref name="settings"/>.</summary>
    /// <exception cref="SettingException">not one of <paramref name="settings"/>, or a value it does not accept.</exception>
    public static SettingText Of(IReadOnlyList<Setting> settings, string key, string text, string where)
    {
        var setting = SettingTable.Find(settings, key) ?? throw new SettingException(
            $"{where}: '{key}' is not a setting here; these are: {TextList.Commas(settings.Select(s => s.Name))}" +
            (TextList.Closest(key, settings.Select(s => s.Name)) is { } near ? $" (did you mean '{near}'?)" : ""));
        setting.ParseValue([text], where);
        return new SettingText(setting, text, where);
    }

    /// <summary>Sets the value in <paramref name="values"/>.</summary>
    public void ApplyTo(SettingValues values) => values.Parse(Setting, [Text], Where);
}

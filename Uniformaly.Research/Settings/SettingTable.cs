namespace Uniformaly.Research.Settings;

/// <summary>
/// Every setting of a detector, a dataset and a run, each declared once: name, type, default,
/// accepted values (with the rule and the message that checks them) and help. Everything else is
/// derived from these entries: the command-line options of every command that takes them, the keys
/// of --config files, reproduction definitions, --set and sweeps, and settings.json.
/// <para>
/// <b>Adding a setting</b> (docs/settings.md): declare it in the partial file of its kind (name in
/// kebab-case, as the command line spells it; help; default; a <see cref="ValueKind{T}"/> for the
/// accepted values), then put it in the <see cref="SettingGroups"/> group of the commands that take
/// it. A detector setting also gets its property in <see cref="DetectorSettings"/>, initialised from
/// the entry's default, and its line in <see cref="DetectorSettings.Bindings"/>; the code that uses it
/// reads the property. Options, config keys, reproduction keys and settings.json follow.
/// </para>
/// </summary>
public static partial class SettingTable
{
    /// <summary>The setting of <paramref name="name"/> among <paramref name="settings"/>, or null.</summary>
    public static Setting? Find(IEnumerable<Setting> settings, string name) => settings.FirstOrDefault(s => s.Name == name);
}

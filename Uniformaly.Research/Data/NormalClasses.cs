using Uniformaly.Research.Common;

namespace Uniformaly.Research.Data;

/// <summary>
/// The set of normal classes of a semantic anomaly-detection protocol: one class (one-class) or a
/// set (multi-class). Every other class of the test set is anomalous.
/// </summary>
public static class NormalClasses
{
    /// <summary>Parses "3", "0,1,2,3,4" or class names ("cat,dog") against <paramref name="classNames"/>.</summary>
    /// <exception cref="SettingException">an unknown class, or none or all of them; the message starts with <paramref name="where"/>.</exception>
    public static IReadOnlySet<int> Parse(string selection, IReadOnlyList<string> classNames, string where)
    {
        var result = new SortedSet<int>();
        foreach (var item in selection.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var index = int.TryParse(item, out var i) ? i : IndexOf(classNames, item, where);
            if (index < 0 || index >= classNames.Count)
                throw new SettingException($"{where}: class index {item} out of range (0..{classNames.Count - 1})");
            result.Add(index);
        }
        if (result.Count == 0) throw new SettingException($"{where}: no class given");
        if (result.Count == classNames.Count)
            throw new SettingException($"{where}: all {classNames.Count} classes are normal, so no test image could be anomalous");
        return result;
    }

    private static int IndexOf(IReadOnlyList<string> names, string name, string where)
    {
        for (var i = 0; i < names.Count; i++)
            if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        throw new SettingException($"{where}: unknown class '{name}'; known: {TextList.Commas(names)}");
    }
}

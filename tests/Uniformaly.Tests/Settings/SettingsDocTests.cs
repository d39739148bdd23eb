using NUnit.Framework;
using Uniformaly.Research.Common;
using Uniformaly.Research.Settings;

namespace Uniformaly.Tests.Settings;

/// <summary>docs/settings.md lists the table as the code declares it, so the page cannot drift.</summary>
public sealed class SettingsDocTests
{
    /// <summary>The page's table: one row per setting, in <see cref="SettingGroups.All"/>'s order.</summary>
    public static string Table()
    {
        var rows = SettingGroups.All.Select(s =>
            $"| `{s.Name}` | {s.DefaultText ?? "-"} | {s.Accepted.Replace("|", "\\|")} | {Groups(s)} |");
        return string.Join("\n", ["| setting | default | accepted | group |", "|---|---|---|---|", .. rows]) + "\n";
    }

    private static string Groups(Setting setting)
    {
        (string Name, IReadOnlyList<Setting> Members)[] groups =
        [
            ("detector", SettingGroups.Detector), ("weights", [SettingTable.Weights]), ("data", SettingGroups.Data),
            ("clustering", SettingGroups.Clustering), ("compute", SettingGroups.Compute), ("cell", SettingGroups.Cell),
            ("fit, predict", [SettingTable.Images]), ("run", [SettingTable.SaveMaps]), ("fit", SettingGroups.Calibration), ("cache", SettingGroups.Caching),
            ("predict", [.. SettingGroups.Decision, SettingTable.SkipBadImages]),
        ];
        return string.Join(", ", groups.Where(g => g.Members.Contains(setting)).Select(g => g.Name).Distinct());
    }

    [Test]
    public void TheDocsTable_IsTheCodesTable()
    {
        var doc = File.ReadAllText(Path.Combine(RepositoryRoot.Find(TestContext.CurrentContext.TestDirectory)!, "docs", "settings.md"));
        Assert.That(doc.Replace("\r\n", "\n"), Does.Contain(Table()), "regenerate the table of docs/settings.md from SettingsDocTests.Table():\n" + Table());
    }
}

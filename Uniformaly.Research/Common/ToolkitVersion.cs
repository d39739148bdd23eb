using System.Reflection;

namespace Uniformaly.Research.Common;

/// <summary>
/// The toolkit's one version string, with the commit it was built from: "1.0.0+&lt;commit&gt;" (the
/// informational version; the build appends the commit, see Directory.Build.props). `--version`,
/// `uniformaly info` and every settings.json print this.
/// </summary>
public static class ToolkitVersion
{
    public static string Text { get; } =
        typeof(ToolkitVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}

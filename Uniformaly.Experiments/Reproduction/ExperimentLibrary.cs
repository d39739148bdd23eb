using System.Reflection;

namespace Uniformaly.Experiments.Reproduction;

/// <summary>
/// The paper's reproductions: configs/*.yaml of the repository, embedded in the program so a
/// published binary has them too. A path to a YAML file (a copied and edited definition) works as well.
/// </summary>
public static class ExperimentLibrary
{
    private const string Prefix = "configs/";

    /// <summary>The embedded reproductions in the order `reproduce all` runs them.</summary>
    public static IReadOnlyList<string> Names { get; } = Assembly.GetExecutingAssembly().GetManifestResourceNames()
        .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && n.EndsWith(".yaml", StringComparison.Ordinal))
        .Select(n => n[Prefix.Length..^".yaml".Length])
        .OrderBy(n => n.StartsWith("fig", StringComparison.Ordinal)).ThenBy(n => n.Length).ThenBy(n => n, StringComparer.Ordinal).ToList();

    /// <summary>Loads a reproduction by name (table9) or from a YAML file path.</summary>
    public static ExperimentDefinition Load(string nameOrPath)
    {
        if (nameOrPath.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || nameOrPath.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(nameOrPath)) throw new FileNotFoundException($"experiment definition not found: {nameOrPath}", nameOrPath);
            return ExperimentDefinitionReader.Read(File.ReadAllText(nameOrPath), nameOrPath);
        }
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(Prefix + nameOrPath + ".yaml")
            ?? throw new Uniformaly.Research.Common.SettingException($"unknown reproduction '{nameOrPath}'; known: {string.Join(", ", Names)}, all, or a path to a .yaml file");
        using var reader = new StreamReader(stream);
        return ExperimentDefinitionReader.Read(reader.ReadToEnd(), $"configs/{nameOrPath}.yaml");
    }
}

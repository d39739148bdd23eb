using System.Globalization;
using Uniformaly.Research.Common;
using Uniformaly.Research.Data;
using Uniformaly.Research.Settings;
using YamlDotNet.RepresentationModel;

namespace Uniformaly.Experiments.Reproduction;

/// <summary>
/// Reads an <see cref="ExperimentDefinition"/> from YAML. Every key is checked, settings by
/// <see cref="SettingTable"/>'s rules, and every error names the file, the key and the line, so that
/// a copied and edited definition fails clearly, before anything runs.
/// </summary>
public static class ExperimentDefinitionReader
{
    private static readonly string[] TopKeys = ["name", "title", "backbone", "settings", "sweep", "tasks", "paper", "gallery"];
    private static readonly string[] TaskKeys = ["name", "data", "kind", "protocol", "categories", "multiclass", "normal", "metrics", "settings", "backbone"];
    private static readonly string[] SweepKeys = ["parameter", "values", "points", "label", "percent", "log-x"];
    private static readonly string[] PaperKeys = ["table", "row", "column", "metric-names", "text-points", "text-note"];

    public static ExperimentDefinition Read(string yaml, string source)
    {
        var root = Parse(yaml, source);
        var reader = new Reader(root, source, "top level", TopKeys);
        var tasks = reader.Sequence("tasks").Select((node, i) => ReadTask(node, source, i)).ToList();
        if (tasks.Count == 0) throw new SettingException($"{source}: 'tasks' is empty");
        if (tasks.Select(t => t.Name).Distinct(StringComparer.Ordinal).Count() != tasks.Count)
            throw new SettingException($"{source}: two tasks share a name");
        return new ExperimentDefinition
        {
            Name = reader.Required("name"),
            Title = reader.Required("title"),
            Backbone = reader.Required("backbone"), // checked with the cells' settings (ReproductionRunner), unless replaced
            Settings = reader.Settings("settings"),
            Sweep = reader.Mapping("sweep") is { } sweep ? ReadSweep(sweep, source) : null,
            Tasks = tasks,
            Paper = reader.Mapping("paper") is { } paper ? ReadPaper(paper, source) : null,
            Gallery = reader.Int("gallery") ?? 3,
            Source = source,
        };
    }

    private static TaskDefinition ReadTask(YamlNode node, string source, int index)
    {
        if (node is not YamlMappingNode mapping) throw new SettingException($"{source}: task {index + 1} is not a mapping (line {node.Start.Line})");
        var where = $"{source}: task {index + 1}";
        var r = new Reader(mapping, source, $"task {index + 1}", TaskKeys);
        var data = r.Required("data");
        var kind = r.Scalar("kind") is { } given ? SettingTable.Dataset.Parse(given, $"{where}: kind") : DatasetCatalog.KindOf(data) ?? throw new SettingException(
            $"{where}: '{data}' is not a known dataset folder ({string.Join(", ", DatasetCatalog.Folders)}); give 'kind'");
        var protocol = r.Scalar("protocol") is { } p
            ? Enum.TryParse<Protocol>(p, ignoreCase: true, out var parsed) ? parsed : throw new SettingException($"{where}: protocol '{p}' is not detection, semantic or clustering")
            : DatasetKinds.IsSemantic(kind) ? Protocol.Semantic : Protocol.Detection;
        var metrics = r.List("metrics") ?? DefaultMetrics(protocol);
        foreach (var metric in metrics) MetricValues.Check(metric, protocol, where);
        var normal = r.List("normal") ?? ["each"];
        foreach (var split in normal.Where(n => n.StartsWith(SplitPrefix, StringComparison.Ordinal)))
            SettingTable.NormalSplit.Parse(split[SplitPrefix.Length..], $"{where}: normal");
        return new TaskDefinition(r.Scalar("name") ?? data, data, kind, protocol, r.Scalar("categories") ?? "all",
            r.Bool("multiclass") ?? false, normal, metrics, r.Settings("settings"), r.Scalar("backbone"));
    }

    private static IReadOnlyList<string> DefaultMetrics(Protocol protocol) => protocol switch
    {
        Protocol.Detection => ["image_auroc", "pixel_auroc"],
        Protocol.Semantic => ["image_auroc"],
        _ => ["nmi", "ari", "f1"],
    };

    /// <summary>A Species-60 split as a normal set: <c>split:A</c>.</summary>
    public const string SplitPrefix = "split:";

    /// <summary>A sweep: <c>parameter</c> (a setting) and its <c>values</c>, or <c>points</c> that each set
    /// several settings (<c>binary_0.2: {bpm: binary, threshold: 0.2}</c>), <c>parameter</c> then naming the axis.</summary>
    private static SweepDefinition ReadSweep(YamlMappingNode node, string source)
    {
        var r = new Reader(node, source, "sweep", SweepKeys);
        var parameter = r.Required("parameter");
        var points = r.Mapping("points") is { } mapping
            ? r.Values("values") is null ? ReadPoints(mapping, source) : throw new SettingException($"{source}: sweep has both 'values' and 'points'; give one")
            : (r.List("values") ?? throw new SettingException($"{source}: sweep needs 'values' (or 'points')"))
                .Select(v => new SweepPoint(v, [SettingText.Of(SettingGroups.Cell, parameter, v, $"{source}: sweep: {parameter}")])).ToList();
        if (points.Count == 0) throw new SettingException($"{source}: the sweep has no points");
        return new SweepDefinition(parameter, points, r.Scalar("label") ?? parameter, r.Bool("percent") ?? false, r.Bool("log-x") ?? false);
    }

    private static List<SweepPoint> ReadPoints(YamlMappingNode mapping, string source) =>
        mapping.Children.Select(point =>
        {
            var name = (point.Key as YamlScalarNode)?.Value ?? throw new SettingException($"{source}: sweep: a point's name is not plain text (line {point.Key.Start.Line})");
            var settings = point.Value as YamlMappingNode ?? throw new SettingException(
                $"{source}: sweep: point '{name}' must map settings to values (line {point.Value.Start.Line})");
            return new SweepPoint(name, Reader.SettingsOf(settings, $"{source}: sweep: point '{name}'"));
        }).ToList();

    private static PaperMapping ReadPaper(YamlMappingNode node, string source)
    {
        var r = new Reader(node, source, "paper", PaperKeys);
        var points = r.Map("text-points").Select(kv => (Number(kv.Key, source), Number(kv.Value, source))).OrderBy(p => p.Item1).ToList();
        return new PaperMapping(r.Scalar("table"), r.Scalar("row") ?? "{task}/{metric}", r.Scalar("column") ?? "{family}",
            r.Map("metric-names"), points, r.Scalar("text-note"));
    }

    private static double Number(string text, string source) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value : throw new SettingException($"{source}: '{text}' is not a number");

    private static YamlMappingNode Parse(string yaml, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new SettingException($"{source}: not valid YAML ({e.Message})");
        }
        return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode mapping
            ? mapping : throw new SettingException($"{source}: expected a mapping with name, title, backbone and tasks");
    }

    /// <summary>Typed access to one mapping's keys, refusing keys it does not know.</summary>
    private sealed class Reader
    {
        private readonly Dictionary<string, YamlNode> _values = new(StringComparer.Ordinal);
        private readonly string _where;

        public Reader(YamlMappingNode node, string source, string where, string[] known)
        {
            _where = $"{source}: {where}";
            foreach (var (key, value) in node.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? throw new SettingException($"{_where}: a key is not plain text (line {key.Start.Line})");
                if (!known.Contains(name)) throw new SettingException($"{_where}: unknown key '{name}' (line {key.Start.Line}); known: {string.Join(", ", known)}");
                _values[name] = value;
            }
        }

        public string Required(string key) => Scalar(key) ?? throw new SettingException($"{_where}: '{key}' is required");

        public string? Scalar(string key) => _values.TryGetValue(key, out var node)
            ? node is YamlScalarNode scalar ? scalar.Value : throw new SettingException($"{_where}: '{key}' must be a plain value (line {node.Start.Line})")
            : null;

        public int? Int(string key) => Scalar(key) is { } text
            ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : throw new SettingException($"{_where}: '{key}' must be an integer, not '{text}'")
            : null;

        public bool? Bool(string key) => Scalar(key) is { } text
            ? bool.TryParse(text, out var value) ? value : throw new SettingException($"{_where}: '{key}' must be true or false, not '{text}'")
            : null;

        /// <summary>A list, or a single value as a one-item list.</summary>
        public IReadOnlyList<string>? List(string key) => _values.TryGetValue(key, out var node)
            ? node switch
            {
                YamlSequenceNode list => list.Children.Select(c => (c as YamlScalarNode)?.Value ?? throw new SettingException($"{_where}: '{key}' must list plain values (line {c.Start.Line})")).ToList(),
                YamlScalarNode scalar => [scalar.Value ?? ""],
                _ => throw new SettingException($"{_where}: '{key}' must be a list (line {node.Start.Line})"),
            }
            : null;

        public IReadOnlyList<YamlNode> Sequence(string key) => _values.TryGetValue(key, out var node)
            ? node as YamlSequenceNode is { } list ? list.Children.ToList() : throw new SettingException($"{_where}: '{key}' must be a list (line {node.Start.Line})")
            : throw new SettingException($"{_where}: '{key}' is required");

        public YamlMappingNode? Mapping(string key) => _values.TryGetValue(key, out var node)
            ? node as YamlMappingNode ?? throw new SettingException($"{_where}: '{key}' must be a mapping (line {node.Start.Line})")
            : null;

        /// <summary>The node of <paramref name="key"/> if it is there.</summary>
        public YamlNode? Values(string key) => _values.GetValueOrDefault(key);

        /// <summary>A mapping of cell settings (<see cref="SettingGroups.Cell"/>), each checked.</summary>
        public IReadOnlyList<SettingText> Settings(string key) =>
            Mapping(key) is { } mapping ? SettingsOf(mapping, $"{_where}: {key}") : [];

        public static IReadOnlyList<SettingText> SettingsOf(YamlMappingNode mapping, string where) =>
            mapping.Children.Select(entry =>
            {
                var name = (entry.Key as YamlScalarNode)?.Value ?? throw new SettingException($"{where}: a key is not plain text (line {entry.Key.Start.Line})");
                var text = entry.Value switch
                {
                    YamlScalarNode s => s.Value ?? "",
                    YamlSequenceNode l => string.Join(",", l.Children.OfType<YamlScalarNode>().Select(c => c.Value)),
                    _ => throw new SettingException($"{where}: '{name}' must be a value (line {entry.Value.Start.Line})"),
                };
                return SettingText.Of(SettingGroups.Cell, name, text, $"{where}: {name} (line {entry.Key.Start.Line})");
            }).ToList();

        /// <summary>A mapping of plain values (lists joined by commas, as on the command line).</summary>
        public IReadOnlyDictionary<string, string> Map(string key)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (Mapping(key) is not { } mapping) return result;
            foreach (var (k, v) in mapping.Children)
                result[(k as YamlScalarNode)?.Value ?? ""] = v switch
                {
                    YamlScalarNode s => s.Value ?? "",
                    YamlSequenceNode l => string.Join(",", l.Children.OfType<YamlScalarNode>().Select(c => c.Value)),
                    _ => throw new SettingException($"{_where}: '{key}' must map keys to plain values (line {v.Start.Line})"),
                };
            return result;
        }
    }
}

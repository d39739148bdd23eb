using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;

namespace Uniformaly.Tests.Architecture;

/// <summary>
/// Which namespaces use which, from two sources, so that neither misses what the other sees: the
/// compiled assembly (every type a type names in its signatures, fields, locals and method bodies'
/// IL) and the source files (their <c>using</c> directives and fully qualified names, which also
/// catch constants, inlined by the compiler). Each edge keeps one example of why it exists.
/// </summary>
public sealed class NamespaceGraph
{
    private readonly Dictionary<string, Dictionary<string, string>> _edges = [];

    /// <summary>The namespaces <paramref name="from"/> uses, each with an example of the use.</summary>
    public IReadOnlyDictionary<string, string> Uses(string from) =>
        _edges.TryGetValue(from, out var to) ? to : new Dictionary<string, string>();

    public IEnumerable<string> Namespaces => _edges.Keys.Concat(_edges.Values.SelectMany(v => v.Keys)).Distinct();

    public void Add(string from, string to, string why)
    {
        if (from == to) return;
        if (!_edges.TryGetValue(from, out var targets)) _edges[from] = targets = [];
        targets.TryAdd(to, why);
    }

    /// <summary>The namespaces under <paramref name="prefix"/> that the types of <paramref name="assembly"/> use.</summary>
    public static NamespaceGraph OfAssembly(Assembly assembly, string prefix)
    {
        var graph = new NamespaceGraph();
        foreach (var type in assembly.GetTypes().Where(t => Under(t.Namespace, prefix)))
        foreach (var used in TypesUsedBy(type).Where(u => Under(u.Namespace, prefix)))
            graph.Add(type.Namespace!, used.Namespace!, $"{Name(type)} uses {Name(used)}");
        return graph;
    }

    /// <summary>The namespaces under <paramref name="prefix"/> that the C# files below <paramref name="folder"/> name.</summary>
    public static NamespaceGraph OfSources(string folder, string prefix)
    {
        var graph = new NamespaceGraph();
        var named = new Regex($@"(?:using\s+(?:static\s+)?|global::|\b)({Regex.Escape(prefix)}(?:\.[A-Z]\w*)*)(?=[;.\s])");
        foreach (var file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")))
        {
            var text = File.ReadAllText(file);
            if (Regex.Match(text, @"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline) is not { Success: true } declared) continue;
            foreach (Match use in named.Matches(text))
            {
                // A.B.C names namespace A.B when C is a type: take the longest prefix that is a declared namespace below.
                graph.Add(declared.Groups[1].Value, use.Groups[1].Value, $"{Path.GetFileName(file)} names {use.Groups[1].Value}");
            }
        }
        return graph;
    }

    /// <summary>Keeps only the edges between the namespaces in <paramref name="known"/> (a source name
    /// such as Uniformaly.Research.Torch.Tensor becomes Uniformaly.Research.Torch).</summary>
    public NamespaceGraph Restrict(IReadOnlyCollection<string> known)
    {
        string? Known(string name)
        {
            for (var n = name; n.Length > 0; n = n.Contains('.') ? n[..n.LastIndexOf('.')] : "")
                if (known.Contains(n)) return n;
            return null;
        }
        var result = new NamespaceGraph();
        foreach (var (from, targets) in _edges)
        foreach (var (to, why) in targets)
            if (Known(from) is { } f && Known(to) is { } t) result.Add(f, t, why);
        return result;
    }

    public NamespaceGraph Union(NamespaceGraph other)
    {
        var result = new NamespaceGraph();
        foreach (var graph in new[] { this, other })
        foreach (var (from, targets) in graph._edges)
        foreach (var (to, why) in targets)
            result.Add(from, to, why);
        return result;
    }

    /// <summary>The groups of namespaces that use each other in a circle (strongly connected components
    /// of more than one namespace), each with the edges that close it.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cycles()
    {
        // Tarjan's algorithm.
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var cycles = new List<IReadOnlyList<string>>();
        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in Uses(node).Keys)
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next)) low[node] = Math.Min(low[node], index[next]);
            }
            if (low[node] != index[node]) return;
            var component = new List<string>();
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                component.Add(member);
            } while (member != node);
            if (component.Count > 1) cycles.Add([.. component.Order(StringComparer.Ordinal)]);
        }
        foreach (var node in Namespaces.Order(StringComparer.Ordinal))
            if (!index.ContainsKey(node)) Visit(node);
        return cycles;
    }

    /// <summary>A cycle's edges with their examples, for the failure message.</summary>
    public string Describe(IReadOnlyList<string> cycle) => string.Join("\n", cycle.SelectMany(from =>
        Uses(from).Where(kv => cycle.Contains(kv.Key)).Select(kv => $"  {from} -> {kv.Key}: {kv.Value}")));

    private static bool Under(string? ns, string prefix) => ns is not null && (ns == prefix || ns.StartsWith(prefix + ".", StringComparison.Ordinal));

    private static string Name(Type type) => type.FullName ?? type.Name;

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every type <paramref name="type"/> names: base, interfaces, members' signatures, locals, IL operands.</summary>
    private static IEnumerable<Type> TypesUsedBy(Type type)
    {
        var found = new List<Type>();
        if (type.BaseType is { } baseType) found.Add(baseType);
        found.AddRange(type.GetInterfaces());
        foreach (var field in type.GetFields(Everything)) found.Add(field.FieldType);
        foreach (var property in type.GetProperties(Everything)) found.Add(property.PropertyType);
        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (method is MethodInfo info) found.Add(info.ReturnType);
            found.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method.GetMethodBody() is not { } body) continue;
            found.AddRange(body.LocalVariables.Select(l => l.LocalType));
            found.AddRange(IlOperandTypes(method, body.GetILAsByteArray() ?? []));
        }
        return found.SelectMany(Unwrap).Distinct();
    }

    /// <summary>A type and the types inside it: element types, generic arguments, declaring types.</summary>
    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType) return Unwrap(type.GetElementType()!);
        IEnumerable<Type> all = [type];
        if (type.IsGenericType && !type.IsGenericTypeDefinition) all = all.Concat(type.GetGenericArguments().SelectMany(Unwrap));
        return type.IsGenericParameter ? [] : all;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The types of the members and types a method body's instructions refer to.</summary>
    private static IEnumerable<Type> IlOperandTypes(MethodBase method, byte[] il)
    {
        var module = method.Module;
        var typeArguments = method.DeclaringType is { IsGenericType: true } t ? t.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            short value = il[at++];
            if (value == 0xFE) value = (short)(0xFE00 | il[at++]);
            var code = OpCodesByValue[value];
            switch (code.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    var token = BitConverter.ToInt32(il, at);
                    var member = module.ResolveMember(token, typeArguments, methodArguments);
                    if (member is Type used) yield return used;
                    else if (member?.DeclaringType is { } declaring) yield return declaring;
                    if (member is FieldInfo field) yield return field.FieldType;
                    if (member is MethodInfo called) yield return called.ReturnType;
                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + 4 * BitConverter.ToInt32(il, at);
                    break;
                default:
                    at += code.OperandType switch
                    {
                        OperandType.InlineNone => 0,
                        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                        OperandType.InlineVar => 2,
                        OperandType.InlineI8 or OperandType.InlineR => 8,
                        _ => 4,
                    };
                    break;
            }
        }
    }
}

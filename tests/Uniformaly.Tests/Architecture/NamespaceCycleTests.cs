using NUnit.Framework;
using Uniformaly.Research.Common;

namespace Uniformaly.Tests.Architecture;

/// <summary>
/// The folders of Uniformaly.Research and Uniformaly.Experiments (one namespace each) depend on each
/// other in one direction only, so the layout reads as the pipeline and any part can be replaced
/// without pulling the rest. Dependencies come from the compiled code and the sources together
/// (<see cref="NamespaceGraph"/>); the checks that the scans find a cycle when there is one are below.
/// </summary>
public sealed class NamespaceCycleTests
{
    private static string Repository => RepositoryRoot.Find(TestContext.CurrentContext.TestDirectory)!;

    [TestCase("Uniformaly.Research", typeof(Research.Torch.Tensor), "Features", "Models")]
    [TestCase("Uniformaly.Experiments", typeof(Experiments.Program), "Commands", "Options")]
    public void Namespaces_UseEachOtherInOneDirectionOnly(string project, Type member, string user, string used)
    {
        var compiled = NamespaceGraph.OfAssembly(member.Assembly, project);
        var known = member.Assembly.GetTypes().Select(t => t.Namespace).OfType<string>().Where(n => n.StartsWith(project, StringComparison.Ordinal)).ToHashSet();
        var graph = compiled.Union(NamespaceGraph.OfSources(Path.Combine(Repository, project), project).Restrict(known));
        Assert.That(graph.Uses($"{project}.{user}"), Does.ContainKey($"{project}.{used}"), "the scan sees dependencies");
        var cycles = graph.Cycles();
        Assert.That(cycles, Is.Empty, "namespaces that use each other:\n" + string.Join("\n", cycles.Select(graph.Describe)));
    }

    [Test]
    public void TheAssemblyScan_FindsAPlantedCycle()
    {
        var graph = NamespaceGraph.OfAssembly(typeof(NamespaceCycleTests).Assembly, "Uniformaly.Tests.Architecture.Planted");
        Assert.That(graph.Cycles(), Is.EqualTo(new[] { new[] { "Uniformaly.Tests.Architecture.Planted.Alpha", "Uniformaly.Tests.Architecture.Planted.Beta" } }));
    }

    /// <summary>A constant is copied into the code that uses it, so only the sources show that use.</summary>
    [Test]
    public void TheSourceScan_FindsACycleThroughAConstant()
    {
        using var folder = new TempFolder();
        folder.File("A/Limits.cs", "using Demo.B;\nnamespace Demo.A;\npublic static class Limits { public const int Max = Sizes.Default * 2; }\n"u8.ToArray());
        folder.File("B/Sizes.cs", "namespace Demo.B;\npublic static class Sizes { public const int Default = Demo.A.Limits.Max / 4; }\n"u8.ToArray());
        var graph = NamespaceGraph.OfSources(folder.Path, "Demo").Restrict(["Demo.A", "Demo.B"]);
        Assert.That(graph.Cycles(), Is.EqualTo(new[] { new[] { "Demo.A", "Demo.B" } }));
    }
}

using NUnit.Framework;
using Uniformaly.Experiments.Commands;
using Uniformaly.Research.Checkpoints;

namespace Uniformaly.Tests.Checkpoints;

/// <summary><c>uniformaly checkpoint</c>'s listing and its exit codes.</summary>
public sealed class CheckpointCommandTests
{
    [Test]
    public void Describe_CountsTensorsElementsAndDTypes()
    {
        var path = CheckpointFixtures.Path("zip_dtypes.pth");
        var elements = CheckpointFixtures.Tensors("zip_dtypes.pth").Values.Sum(e => e.Values.Length);
        using var stateDict = CheckpointReader.Read(path);
        var lines = CheckpointCommand.Describe(stateDict, all: true).ToList();
        Assert.That(lines[0], Does.StartWith($"{path}: 8 tensors, {elements:N0} elements ("));
        Assert.That(lines[0], Does.Contain("Float16 x1").And.Contain("BFloat16 x1").And.Contain("Int64 x1"));
        Assert.That(lines.Skip(1), Has.Exactly(1).EqualTo("  f16 [2, 3] Float16"));
        Assert.That(lines, Has.Count.EqualTo(9));
    }

    [Test]
    public void Command_ExitsWithOneAndNamesTheGlobal_OnAMaliciousFile()
    {
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        try
        {
            var path = CheckpointFixtures.Path("malicious_system.pth");
            var exit = Uniformaly.Experiments.Program.Main(["checkpoint", path]);
            Assert.That(exit, Is.EqualTo(1));
            Assert.That(error.ToString(), Does.StartWith($"error: checkpoint '{path}': refuses the pickled global 'posix.system'"));
        }
        finally
        {
            Console.SetError(original);
        }
    }
}

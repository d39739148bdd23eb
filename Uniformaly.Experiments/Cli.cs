using System.CommandLine;
using System.CommandLine.Invocation;
using Uniformaly.Experiments.Commands;
using Uniformaly.Research.Common;

namespace Uniformaly.Experiments;

/// <summary>The command tree; each command lives in Commands/.</summary>
public static class Cli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Uniformaly: UniFormaly visual anomaly detection on libtorch");
        root.Options.OfType<VersionOption>().Single().Action = new PrintVersion();
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ReproduceCommand.Create());
        root.Subcommands.Add(FitCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(ClusterCommand.Create());
        root.Subcommands.Add(SynthCommand.Create());
        root.Subcommands.Add(CheckpointCommand.Create());
        root.Subcommands.Add(CacheCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(FeaturesCommand.Create());
        return root;
    }

    /// <summary>--version prints the toolkit's one version string, as info and settings.json do.</summary>
    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            Console.WriteLine(ToolkitVersion.Text);
            return 0;
        }
    }
}

using System.CommandLine;
using Uniformaly.Experiments.Commands;

namespace Uniformaly.Experiments;

/// <summary>The command tree; each command lives in Commands/.</summary>
public static class Cli
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Uniformaly: UniFormaly visual anomaly detection on libtorch");
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
}

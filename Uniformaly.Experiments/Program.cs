using System.CommandLine;
using Uniformaly.Experiments.Commands;

namespace Uniformaly.Experiments;

/// <summary>Entry point of the <c>uniformaly</c> command line.</summary>
public static class Program
{
    public static int Main(string[] args) => Cli.Build().Parse(args).Invoke();
}

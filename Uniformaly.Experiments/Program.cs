using System.CommandLine;

namespace Uniformaly.Experiments;

/// <summary>Entry point of the <c>uniformaly</c> command line.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        try
        {
            var root = Cli.Build();
            var parse = root.Parse(ConfigFile.Merge(root, args));
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // User-facing failures (bad files, bad arguments, libtorch errors) end with one clear
            // line and exit code 1; UNIFORMALY_DEBUG=1 shows the stack for bug reports.
            Console.Error.WriteLine($"error: {e.Message}");
            if (Environment.GetEnvironmentVariable("UNIFORMALY_DEBUG") == "1") Console.Error.WriteLine(e);
            return 1;
        }
    }
}

using System.CommandLine;
using System.CommandLine.Invocation;
using Uniformaly.Experiments.Options;
using Uniformaly.Research.Common;

namespace Uniformaly.Experiments;

/// <summary>
/// Entry point of the <c>uniformaly</c> command line. Exit codes: 0 success, 1 a failure while
/// working (a file that cannot be read, libtorch, ...), 2 a usage error (an unknown option, a value
/// a setting does not accept, settings that do not fit together or the backbone). Every error is
/// one line, usage errors with a second pointing to the command's --help.
/// </summary>
public static class Program
{
    public const int Failure = 1;
    public const int UsageError = 2;

    public static int Main(string[] args)
    {
        ParseResult? parse = null;
        try
        {
            parse = Cli.Build().Parse(args);
            if (parse.Action is ParseErrorAction)
                return Usage(parse, parse.Errors.Select(e => e.Message).Distinct().Concat(Suggestions(parse)));
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (SettingException e)
        {
            return Usage(parse, [e.Message]);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Failures while working (bad files, libtorch errors) end with one clear line;
            // UNIFORMALY_DEBUG=1 shows the stack for bug reports.
            Console.Error.WriteLine($"error: {e.Message}");
            if (Environment.GetEnvironmentVariable("UNIFORMALY_DEBUG") == "1") Console.Error.WriteLine(e);
            return Failure;
        }
    }

    /// <summary>The errors, then where the command's options are described.</summary>
    private static int Usage(ParseResult? parse, IEnumerable<string> errors)
    {
        foreach (var error in errors) Console.Error.WriteLine($"error: {error}");
        Console.Error.WriteLine($"Run '{CommandPath(parse)} --help' for the options.");
        return UsageError;
    }

    /// <summary>"did you mean" for mistyped options.</summary>
    private static IEnumerable<string> Suggestions(ParseResult parse) =>
        parse.UnmatchedTokens.Where(t => t.StartsWith('-'))
            .Select(t => (Token: t, Near: SettingOptions.Closest(t, parse.CommandResult.Command)))
            .Where(s => s.Near is not null).Select(s => $"did you mean {s.Near} instead of {s.Token}?");

    private static string CommandPath(ParseResult? parse)
    {
        var names = new List<string>();
        for (var result = parse?.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, result.Command is RootCommand ? "uniformaly" : result.Command.Name);
        return names.Count == 0 ? "uniformaly" : string.Join(" ", names);
    }
}

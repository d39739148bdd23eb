using System.CommandLine;
using Uniformaly.Research.Caching;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly cache clear|info [--cache-dir DIR]</c>: the feature cache of sweeps.</summary>
public static class CacheCommand
{
    public static Command Create()
    {
        var command = new Command("cache", "Manage the on-disk feature cache used by reproductions and sweeps");
        command.Subcommands.Add(Sub("clear", "Delete every cached feature entry", root =>
        {
            FeatureCache.Clear(root);
            Console.WriteLine($"cleared {root}");
        }));
        command.Subcommands.Add(Sub("info", "Print the cache location and size", root =>
        {
            var bytes = Directory.Exists(root)
                ? new DirectoryInfo(root).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
                : 0;
            Console.WriteLine($"cache: {root}");
            Console.WriteLine($"size:  {bytes / (1024.0 * 1024.0):F1} MiB");
        }));
        return command;
    }

    private static Command Sub(string name, string description, Action<string> action)
    {
        var dir = new Option<string>("--cache-dir") { Description = "Cache folder (default: $UNIFORMALY_CACHE or ~/.cache/uniformaly/features)" };
        var command = new Command(name, description) { dir };
        command.SetAction(parse => action(parse.GetValue(dir) ?? FeatureCache.DefaultRoot));
        return command;
    }
}

using System.CommandLine;
using Uniformaly.Research.Caching;

namespace Uniformaly.Experiments.Commands;

/// <summary><c>uniformaly cache clear|info|adopt [--cache-dir DIR]</c>: the feature cache of sweeps.
/// Each acts only on the cache's own entries (those its entry list names), never on other files in the folder.</summary>
public static class CacheCommand
{
    public static Command Create()
    {
        var command = new Command("cache", "Manage the on-disk feature cache used by reproductions and sweeps");
        command.Subcommands.Add(Sub("clear", "Delete the cache's entries (only those it wrote; other files in the folder stay)", root =>
        {
            var info = FeatureCache.Clear(root);
            Console.WriteLine(!info.IsCache ? $"no feature cache in {info.Root}: nothing to clear"
                : $"cleared {info.Root}: {Entries(info)} deleted" + (Directory.Exists(info.Root) && Directory.EnumerateFileSystemEntries(info.Root).Any() ? "; other files there were kept" : ""));
        }));
        command.Subcommands.Add(Sub("info", "Print the cache location, its entries and their size", root =>
        {
            var info = FeatureCache.Inspect(root);
            Console.WriteLine($"cache:   {info.Root}");
            if (info.IsCache)
            {
                Console.WriteLine($"entries: {info.Entries} ({MiB(info.Bytes)})");
                if (info.IgnoredLines > 0) Console.WriteLine($"note:    {info.IgnoredLines} torn lines in its entry list were skipped (left by a crash)");
            }
            else if (!info.Exists) Console.WriteLine("entries: none (the folder does not exist yet)");
            else
            {
                Console.WriteLine($"not a feature cache (no {FeatureCache.MarkerFileName} in it): `cache clear` refuses to delete anything there");
                if (info.LegacyEntries > 0)
                    Console.WriteLine($"legacy:  {info.LegacyEntries} entries ({MiB(info.LegacyBytes)}) laid out like an older Uniformaly cache; " +
                        "`uniformaly cache adopt` makes the folder a cache that owns them");
            }
        }));
        command.Subcommands.Add(Sub("adopt", "Mark a folder as a feature cache, adopting the entries an older Uniformaly left in it", root =>
        {
            var before = FeatureCache.Inspect(root);
            var after = FeatureCache.Adopt(root);
            Console.WriteLine(before.IsCache ? $"{after.Root} is already a feature cache: {Entries(after)}"
                : $"marked {after.Root} as a feature cache; it adopted {Entries(after)} an older Uniformaly left");
        }));
        return command;
    }

    private static string Entries(FeatureCacheInfo info) => $"{info.Entries} entries ({MiB(info.Bytes)})";

    private static string MiB(long bytes) => $"{bytes / (1024.0 * 1024.0):F1} MiB";

    private static Command Sub(string name, string description, Action<string> action)
    {
        var dir = new Option<string>("--cache-dir") { Description = "Cache folder (default: $UNIFORMALY_CACHE or ~/.cache/uniformaly/features)" };
        var command = new Command(name, description) { dir };
        command.SetAction(parse => action(parse.GetValue(dir) ?? FeatureCache.DefaultRoot));
        return command;
    }
}

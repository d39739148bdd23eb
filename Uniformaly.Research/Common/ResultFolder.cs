using System.Text.Json;

namespace Uniformaly.Research.Common;

/// <summary>
/// A folder that receives a command's results as one set. The new set is written to a staging
/// folder inside it and published only when complete, so after a failure or an interrupt (an
/// exception, Ctrl-C, kill -9) the folder holds the previous complete set or the new one, never a
/// mix. One process at a time writes a result folder: a second is refused while the first holds
/// the folder's lock, an OS file lock that ends with its process, so a crash never leaves it stuck.
/// <para>
/// The toolkit owns only its bookkeeping folder (<c>.uniformaly/</c>: the lock, the staging folder
/// and <c>results.json</c>, the list of files the last result set wrote) and the files that list
/// names; nothing else in the folder is ever touched. Publishing moves each new file into place
/// (a rename within one file system), then deletes the files of the previous set that the new set
/// lacks. A journal written before the first move lets whoever opens the folder next finish a
/// publish that was killed halfway.
/// </para>
/// </summary>
public sealed class ResultFolder : IDisposable
{
    /// <summary>The toolkit's bookkeeping inside a result folder.</summary>
    public const string Bookkeeping = ".uniformaly";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly FileLock _lock;
    private readonly string _command;
    private readonly bool _resumable;
    private HashSet<string> _recorded;

    private ResultFolder(string path, string command, FileLock lockFile, bool resumable)
    {
        Path = path;
        _command = command;
        _lock = lockFile;
        _resumable = resumable;
        _recorded = [.. ReadManifest(path)?.Files ?? []];
    }

    /// <summary>The folder results are published to.</summary>
    public string Path { get; }

    /// <summary>Where the new result set is written, laid out as it will be in <see cref="Path"/>.</summary>
    public string Staging => StagingOf(Path);

    /// <summary>Takes the folder for <paramref name="command"/> (creating it if needed), finishes a
    /// publish a crashed process left halfway and clears its staging folder.</summary>
    /// <param name="folder">The result folder.</param>
    /// <param name="command">The command writing it, as the user types it (run, fit, ...): a folder
    /// holding another command's results is refused rather than replaced.</param>
    /// <param name="resumable">Keep what an unfinished run staged (when opened, and when disposed without
    /// publishing), so that a resumed run adds to it; the caller calls <see cref="DiscardStaging"/> when it
    /// starts afresh. The previous result set stays whole until the new one is published.</param>
    /// <exception cref="IOException">another process is writing the folder, it holds another
    /// command's results, or it is a file.</exception>
    public static ResultFolder Open(string folder, string command, bool resumable = false)
    {
        var path = System.IO.Path.GetFullPath(folder);
        var lockFile = Lock(path);
        try
        {
            FinishAndClear(path, clearStaging: !resumable);
            if (ReadManifest(path) is { } manifest && manifest.Command != command)
                throw new IOException($"{path} holds the results of `uniformaly {manifest.Command}`; write the results of " +
                    $"`uniformaly {command}` to another folder, or delete that one first");
            Directory.CreateDirectory(StagingOf(path));
            return new ResultFolder(path, command, lockFile, resumable);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>For readers of a result folder: finishes a publish that a crashed process left
    /// halfway, so what is read is one complete set. Does nothing when none is pending.</summary>
    /// <exception cref="IOException">another process is publishing into the folder right now.</exception>
    public static void FinishInterruptedPublish(string folder)
    {
        var path = System.IO.Path.GetFullPath(folder);
        if (!File.Exists(JournalOf(path))) return;
        using (Lock(path)) FinishAndClear(path);
    }

    /// <summary>Empties <see cref="Staging"/>: a resumable run that starts afresh drops what an earlier one staged.</summary>
    public void DiscardStaging()
    {
        Directory.Delete(Staging, recursive: true);
        Directory.CreateDirectory(Staging);
    }

    /// <summary>Publishes everything in <see cref="Staging"/>: the previous set's files that it lacks
    /// are deleted, except those under <paramref name="keep"/> (a subfolder published piece by piece
    /// with <see cref="PublishPart"/>).</summary>
    public void Publish(string? keep = null)
    {
        Publish(FilesUnder(Staging), file => keep is null || !IsUnder(file, keep));
        Directory.Delete(Staging, recursive: true);
        Directory.CreateDirectory(Staging);
    }

    /// <summary>Publishes the staged subfolder <paramref name="relativeFolder"/> on its own, replacing
    /// the previous set's files under it (e.g. one finished cell of a reproduction).</summary>
    public void PublishPart(string relativeFolder)
    {
        var staged = System.IO.Path.Combine(Staging, relativeFolder);
        Publish(FilesUnder(staged).Select(f => System.IO.Path.Combine(relativeFolder, f)).ToList(), file => IsUnder(file, relativeFolder));
        if (Directory.Exists(staged)) Directory.Delete(staged, recursive: true);
    }

    /// <summary>Releases the folder; a set that was not published is discarded.</summary>
    public void Dispose()
    {
        // A publish that failed halfway keeps its journal and staged files: the next Open finishes it.
        if (!_resumable && !File.Exists(JournalOf(Path)) && Directory.Exists(Staging)) Directory.Delete(Staging, recursive: true);
        _lock.Dispose();
    }

    /// <summary>The new files go in, the previous set's files in scope that the new set lacks go out.</summary>
    private void Publish(IReadOnlyList<string> files, Func<string, bool> inScope)
    {
        foreach (var file in files) CheckNothingInTheWay(file);
        var incoming = files.ToHashSet();
        var journal = new Journal(files, [.. _recorded.Where(f => inScope(f) && !incoming.Contains(f)).Order(StringComparer.Ordinal)],
            new Manifest(_command, [.. _recorded.Where(f => !inScope(f)).Concat(files).Distinct().Order(StringComparer.Ordinal)]));
        AtomicFile.WriteAllText(JournalOf(Path), JsonSerializer.Serialize(journal, Json));
        Apply(Path, journal);
        _recorded = [.. journal.Result.Files];
    }

    /// <summary>A staged file whose place is taken by a folder (or whose folder by a file) would
    /// stop a publish halfway: refused before anything moves.</summary>
    private void CheckNothingInTheWay(string file)
    {
        var target = System.IO.Path.Combine(Path, file);
        if (Directory.Exists(target)) throw new IOException($"cannot write {target}: a folder of that name is in the way");
        for (var folder = System.IO.Path.GetDirectoryName(target)!; folder.Length > Path.Length; folder = System.IO.Path.GetDirectoryName(folder)!)
            if (File.Exists(folder)) throw new IOException($"cannot write {target}: {folder} is a file, not a folder");
    }

    /// <summary>Carries out a journal; every step can be repeated, so a killed publish is finished by replaying it.</summary>
    private static void Apply(string path, Journal journal)
    {
        var staging = StagingOf(path);
        foreach (var file in journal.Move)
        {
            var (from, to) = (System.IO.Path.Combine(staging, file), System.IO.Path.Combine(path, file));
            if (!File.Exists(from)) continue; // moved before the interruption
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(to)!);
            File.Move(from, to, overwrite: true);
        }
        foreach (var file in journal.Remove)
        {
            var target = System.IO.Path.Combine(path, file);
            if (!File.Exists(target)) continue;
            File.Delete(target);
            DeleteEmptyFolders(path, System.IO.Path.GetDirectoryName(target)!);
        }
        AtomicFile.WriteAllText(ManifestOf(path), JsonSerializer.Serialize(journal.Result, Json));
        File.Delete(JournalOf(path));
    }

    /// <summary>Folders emptied by removing the previous set's files (maps/&lt;category&gt;/...) go too, up to the result folder.</summary>
    private static void DeleteEmptyFolders(string path, string folder)
    {
        for (; folder.Length > path.Length && !Directory.EnumerateFileSystemEntries(folder).Any(); folder = System.IO.Path.GetDirectoryName(folder)!)
            Directory.Delete(folder);
    }

    /// <summary>Under the lock: finishes a pending publish, then removes what a crashed writer staged
    /// (and its bookkeeping files' temporaries, see <see cref="AtomicFile"/>).</summary>
    private static void FinishAndClear(string path, bool clearStaging = true)
    {
        foreach (var temporary in Directory.EnumerateFiles(System.IO.Path.Combine(path, Bookkeeping), ".*.tmp")) File.Delete(temporary);
        if (File.Exists(JournalOf(path)))
        {
            var journal = JsonSerializer.Deserialize<Journal>(File.ReadAllText(JournalOf(path)), Json);
            if (journal is not { Move: not null, Remove: not null, Result.Files: not null } || !Inside([.. journal.Move, .. journal.Remove, .. journal.Result.Files]))
                throw new InvalidDataException($"{JournalOf(path)} is damaged; delete {StagingOf(path)} and it, and run again");
            Apply(path, journal);
            clearStaging = true; // what is left after a finished publish belongs to no run
        }
        if (clearStaging && Directory.Exists(StagingOf(path))) Directory.Delete(StagingOf(path), recursive: true);
        else if (Directory.Exists(StagingOf(path)))
            foreach (var temporary in Directory.EnumerateFiles(StagingOf(path), ".*.tmp", SearchOption.AllDirectories)) File.Delete(temporary);
    }

    private static FileLock Lock(string path)
    {
        if (File.Exists(path)) throw new IOException($"{path} is a file; results are written to a folder");
        var bookkeeping = Directory.CreateDirectory(System.IO.Path.Combine(path, Bookkeeping)).FullName;
        return FileLock.TryTake(System.IO.Path.Combine(bookkeeping, "lock"))
            ?? throw new IOException($"{path} is in use: another uniformaly process is writing there; wait for it to finish or choose another folder");
    }

    private static Manifest? ReadManifest(string path)
    {
        var file = ManifestOf(path);
        if (!File.Exists(file)) return null;
        try
        {
            return JsonSerializer.Deserialize<Manifest>(File.ReadAllText(file), Json) is { Command: not null, Files: not null } manifest
                && Inside(manifest.Files) ? manifest : throw new JsonException("no command, or files outside the folder");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file} is damaged ({e.Message}); delete it and the toolkit will only overwrite, never delete, the result files it finds", e);
        }
    }

    /// <summary>Whether every path is relative and stays inside the folder (a hand-edited record cannot reach outside it).</summary>
    private static bool Inside(IEnumerable<string> files) =>
        files.All(f => f.Length > 0 && !System.IO.Path.IsPathRooted(f) && !f.Split(System.IO.Path.DirectorySeparatorChar).Contains(".."));

    private static List<string> FilesUnder(string folder) =>
        Directory.Exists(folder)
            ? [.. Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Select(f => System.IO.Path.GetRelativePath(folder, f)).Order(StringComparer.Ordinal)]
            : [];

    private static bool IsUnder(string file, string folder) =>
        file.StartsWith(folder.TrimEnd(System.IO.Path.DirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static string StagingOf(string path) => System.IO.Path.Combine(path, Bookkeeping, "staging");

    private static string ManifestOf(string path) => System.IO.Path.Combine(path, Bookkeeping, "results.json");

    private static string JournalOf(string path) => System.IO.Path.Combine(path, Bookkeeping, "publishing.json");

    /// <summary>results.json: which command wrote the folder's current result set, and its files.</summary>
    private sealed record Manifest(string Command, List<string> Files);

    /// <summary>publishing.json: a publish in progress.</summary>
    private sealed record Journal(IReadOnlyList<string> Move, IReadOnlyList<string> Remove, Manifest Result);
}

using System.Text;

namespace Uniformaly.Research.Common;

/// <summary>
/// A CSV file written row by row as the work is done: rows go to FILE.partial (flushed as written), and
/// FILE appears, complete, only when <see cref="Complete"/> renames it into place, so FILE is never
/// half-written and an earlier FILE stays whole until then. An interrupted run leaves FILE.partial and
/// FILE.partial.key, the fingerprint of what it computed (model, inputs, settings): a run with the same
/// fingerprint continues after the last complete row; one with another starts afresh. The first column
/// is the row's key (an image path).
/// </summary>
public sealed class ResumableCsv : IDisposable
{
    private readonly string _path;
    private readonly StreamWriter _writer;

    private ResumableCsv(string path, StreamWriter writer, IReadOnlySet<string> done, bool resumed)
    {
        _path = path;
        _writer = writer;
        Done = done;
        Resumed = resumed;
    }

    /// <summary>The keys of the rows an earlier run wrote (empty when starting afresh).</summary>
    public IReadOnlySet<string> Done { get; }

    /// <summary>Whether an earlier run's rows were kept.</summary>
    public bool Resumed { get; }

    public string PartialPath => _path + ".partial";

    private string KeyPath => PartialPath + ".key";

    /// <summary>Continues FILE.partial when its fingerprint is <paramref name="fingerprint"/>, else starts it afresh.</summary>
    /// <exception cref="IOException">FILE.partial exists without its key: it is not ours, and is left alone.</exception>
    public static ResumableCsv Open(string path, IReadOnlyList<string> header, string fingerprint)
    {
        var full = Path.GetFullPath(path);
        var (partial, key) = (full + ".partial", full + ".partial.key");
        if (Directory.Exists(full)) throw new IOException($"{full} is a folder; give a file name for the CSV");
        if (File.Exists(partial) && !File.Exists(key))
            throw new IOException($"{partial} exists but was not written by uniformaly; move or delete it, or write the CSV elsewhere");
        var headerLine = string.Join(",", header.Select(CsvField.Quote));
        var done = new HashSet<string>(StringComparer.Ordinal);
        var resumed = File.Exists(partial) && File.ReadAllText(key) == fingerprint && KeepCompleteRows(partial, headerLine, done);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        if (!resumed)
        {
            done.Clear();
            AtomicFile.WriteAllText(key, fingerprint);
            File.WriteAllText(partial, headerLine + "\n");
        }
        var writer = new StreamWriter(new FileStream(partial, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        return new ResumableCsv(full, writer, done, resumed);
    }

    /// <summary>Appends rows and flushes them to the file, so an interruption loses no finished row.</summary>
    public void Append(IEnumerable<IReadOnlyList<string>> rows)
    {
        foreach (var row in rows) _writer.Write(string.Join(",", row.Select(CsvField.Quote)) + "\n");
        _writer.Flush();
    }

    /// <summary>Renames FILE.partial to FILE (replacing an earlier FILE) and drops the key.</summary>
    public void Complete()
    {
        _writer.Dispose();
        File.Move(PartialPath, _path, overwrite: true);
        File.Delete(KeyPath);
    }

    public void Dispose() => _writer.Dispose();

    /// <summary>Reads the earlier rows' keys and cuts off a last row the interruption left unfinished; false
    /// when the file does not start with <paramref name="headerLine"/> (then it is started afresh).</summary>
    private static bool KeepCompleteRows(string partial, string headerLine, HashSet<string> done)
    {
        var text = File.ReadAllText(partial);
        if (!text.StartsWith(headerLine + "\n", StringComparison.Ordinal)) return false;
        var complete = text.LastIndexOf('\n') + 1;
        foreach (var line in text[(headerLine.Length + 1)..complete].Split('\n', StringSplitOptions.RemoveEmptyEntries)) done.Add(FirstField(line));
        if (complete < text.Length)
            using (var stream = new FileStream(partial, FileMode.Open, FileAccess.Write)) stream.SetLength(Encoding.UTF8.GetByteCount(text[..complete]));
        return true;
    }

    /// <summary>The first field of a CSV line, unquoted.</summary>
    private static string FirstField(string line)
    {
        if (!line.StartsWith('"')) return line.Split(',')[0];
        var field = new StringBuilder();
        for (var i = 1; i < line.Length; i++)
        {
            if (line[i] == '"' && i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
            else if (line[i] == '"') break;
            else field.Append(line[i]);
        }
        return field.ToString();
    }
}

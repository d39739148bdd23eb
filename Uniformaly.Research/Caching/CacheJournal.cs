using System.Text;
using Uniformaly.Research.Common;

namespace Uniformaly.Research.Caching;

/// <summary>
/// A cache folder's list of the entries it wrote (its manifest): uniformaly-cache.log, an
/// append-only text file. The first line names the format and a generation, new at each
/// compaction; each further line is <c>+KEY</c> (an entry is about to be written) or <c>-KEY</c>
/// (it was removed), KEY being 64 lowercase hex digits, so a record can only ever name a file at
/// KEY[..2]/KEY.safetensors inside the cache. Appends happen under the cache lock; reading needs no
/// lock: a line still being written (no newline yet) is read later, and a line torn by a crash is
/// skipped (its entry was never written: the record comes first). When dead lines outnumber the
/// live entries, the file is rewritten with the live ones, atomically.
/// </summary>
internal sealed class CacheJournal
{
    public const string FileName = "uniformaly-cache.log";
    private const string Format = "uniformaly-feature-cache-journal 1";
    private const int HeaderBytes = 128;

    private readonly string _path;
    private readonly HashSet<string> _live = new(StringComparer.Ordinal);
    private string _generation = "";
    private long _offset;
    private int _records;

    private CacheJournal(string path) => _path = path;

    /// <summary>The keys of the entries the cache holds, as last read.</summary>
    public IReadOnlyCollection<string> Keys => _live;

    /// <summary>Lines that are not records (torn by a crash, or edited by hand), skipped.</summary>
    public int IgnoredLines { get; private set; }

    public bool Contains(string key) => _live.Contains(key);

    /// <summary>Whether <paramref name="text"/> is an entry key: a SHA-256 digest in lowercase hex.</summary>
    public static bool IsKey(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigitLower);

    /// <summary>Writes a new list holding <paramref name="keys"/> (atomically).</summary>
    public static void Create(string path, IEnumerable<string> keys)
    {
        var text = new StringBuilder($"{Format} {Guid.NewGuid():N}\n");
        foreach (var key in keys) text.Append('+').Append(key).Append('\n');
        AtomicFile.WriteAllText(path, text.ToString());
    }

    /// <summary>Reads the list at <paramref name="path"/>.</summary>
    /// <exception cref="FeatureCacheException">missing, or not such a list.</exception>
    public static CacheJournal Open(string path)
    {
        var journal = new CacheJournal(path);
        journal.Refresh();
        return journal;
    }

    /// <summary>Reads what other processes appended since the last read (all of it after a compaction).</summary>
    public void Refresh()
    {
        using var stream = OpenStream(FileAccess.Read);
        ReadNew(stream);
    }

    /// <summary>Appends records (<c>'+'</c> or <c>'-'</c>, key) in one write. The caller holds the
    /// cache lock and has refreshed, so the file ends where this journal stopped reading.</summary>
    public void Append(IReadOnlyCollection<(char Operation, string Key)> records)
    {
        if (records.Count == 0) return;
        using var stream = OpenStream(FileAccess.ReadWrite);
        var text = new StringBuilder();
        if (stream.Length > 0)
        {
            stream.Seek(-1, SeekOrigin.End);
            if (stream.ReadByte() != '\n') text.Append('\n'); // ends a line torn by a crash, which is then skipped
        }
        foreach (var (operation, key) in records) text.Append(operation).Append(key).Append('\n');
        stream.Seek(0, SeekOrigin.End);
        stream.Write(Encoding.ASCII.GetBytes(text.ToString()));
        // On disk before the entry it announces is written, so that even a power cut never leaves an
        // entry the list does not name.
        stream.Flush(flushToDisk: true);
        ReadNew(stream);
    }

    /// <summary>Rewrites the list with only the live entries when most of its lines are dead. The
    /// caller holds the cache lock.</summary>
    public void CompactIfLarge()
    {
        if (_records + IgnoredLines <= 2 * _live.Count + 1024) return;
        Create(_path, _live);
        Refresh();
    }

    private FileStream OpenStream(FileAccess access)
    {
        try
        {
            return new FileStream(_path, FileMode.Open, access, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException e)
        {
            throw Damaged("is missing", e);
        }
    }

    private void ReadNew(FileStream stream)
    {
        var (generation, headerEnd) = ReadHeader(stream);
        if (generation != _generation)
        {
            (_generation, _offset, _records, IgnoredLines) = (generation, headerEnd, 0, 0);
            _live.Clear();
        }
        var length = stream.Length;
        if (length < _offset) throw Damaged("was shortened without a new generation (edited by hand?)");
        var bytes = new byte[length - _offset];
        stream.Seek(_offset, SeekOrigin.Begin);
        stream.ReadExactly(bytes);
        var start = 0;
        for (int end; (end = Array.IndexOf(bytes, (byte)'\n', start)) >= 0; start = end + 1)
            Apply(bytes.AsSpan(start, end - start));
        _offset += start; // a last line without its newline is still being written: read it next time
    }

    private (string Generation, long HeaderEnd) ReadHeader(FileStream stream)
    {
        var buffer = new byte[HeaderBytes];
        stream.Seek(0, SeekOrigin.Begin);
        var count = stream.ReadAtLeast(buffer, HeaderBytes, throwOnEndOfStream: false);
        var newline = Array.IndexOf(buffer, (byte)'\n', 0, count);
        var header = newline < 0 ? "" : Encoding.ASCII.GetString(buffer, 0, newline);
        var generation = header.StartsWith(Format + " ", StringComparison.Ordinal) ? header[(Format.Length + 1)..] : "";
        if (generation.Length != 32 || !generation.All(char.IsAsciiHexDigitLower))
            throw Damaged($"does not start with the line '{Format} <generation>'");
        return (generation, newline + 1);
    }

    private void Apply(ReadOnlySpan<byte> line)
    {
        var key = line.Length == 65 && line[0] is (byte)'+' or (byte)'-' ? Encoding.ASCII.GetString(line[1..]) : "";
        if (!IsKey(key))
        {
            IgnoredLines++;
            return;
        }
        _records++;
        if (line[0] == '+') _live.Add(key);
        else _live.Remove(key);
    }

    private FeatureCacheException Damaged(string what, Exception? inner = null) =>
        new($"feature cache {Path.GetDirectoryName(_path)}: its entry list {_path} {what}, so the cache cannot tell its own files " +
            "from others and deletes nothing; remove the folder's cache files yourself, or use another --cache-dir", inner);
}

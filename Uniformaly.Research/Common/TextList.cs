namespace Uniformaly.Research.Common;

/// <summary>Lists in messages: "a, b or c", and long lists summarised to their first items and a count.</summary>
public static class TextList
{
    /// <summary>Lists longer than this are summarised.</summary>
    public const int MaxItems = 12;

    /// <summary>"a", "a or b", "a, b or c" (summarised beyond <see cref="MaxItems"/>).</summary>
    public static string Or(IEnumerable<string> items) => Join(items, "or");

    /// <summary>"a", "a and b", "a, b and c" (summarised beyond <see cref="MaxItems"/>).</summary>
    public static string And(IEnumerable<string> items) => Join(items, "and");

    /// <summary>"a, b, c" or, beyond <see cref="MaxItems"/>, "a, b, ..., l (40 in all)".</summary>
    public static string Commas(IEnumerable<string> items)
    {
        var list = items.ToList();
        return list.Count <= MaxItems ? string.Join(", ", list)
            : $"{string.Join(", ", list.Take(MaxItems - 1))}, ..., {list[^1]} ({list.Count} in all)";
    }

    /// <summary>The candidate nearest to <paramref name="typed"/> (a typo: at most a third of its letters off;
    /// or a part of the name, --precision for --knn-precision), or null.</summary>
    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        var list = candidates.ToList();
        var word = typed.TrimStart('-');
        return list.Select(c => (Name: c, Distance: Distance(typed, c))).Where(c => c.Distance <= Math.Max(1, typed.Length / 3))
                   .OrderBy(c => c.Distance).Select(c => c.Name).FirstOrDefault()
               ?? (word.Length >= 3 ? list.FirstOrDefault(c => c.Contains(word, StringComparison.Ordinal)) : null);
    }

    /// <summary>Levenshtein distance.</summary>
    private static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var (previous, row0) = (row[0], i);
            row[0] = row0;
            for (var j = 1; j <= b.Length; j++)
            {
                var next = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), previous + (a[i - 1] == b[j - 1] ? 0 : 1));
                (previous, row[j]) = (row[j], next);
            }
        }
        return row[b.Length];
    }

    private static string Join(IEnumerable<string> items, string word)
    {
        var list = items.ToList();
        if (list.Count > MaxItems) return Commas(list);
        return list.Count <= 1 ? string.Concat(list) : $"{string.Join(", ", list.Take(list.Count - 1))} {word} {list[^1]}";
    }
}

using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using Uniformaly.Research.Common;

namespace Uniformaly.Research.Settings;

/// <summary>
/// What values a setting takes and how they are written: text to value (<see cref="Read"/>), which
/// values are allowed (<see cref="Allows"/>), value to text (<see cref="Write"/>, the form the
/// command line, config files and settings.json share) and a description of the accepted values
/// for help and errors ("a whole number from 1 to 1024"). <see cref="ValueKinds"/> makes them.
/// </summary>
/// <param name="Accepted">The accepted values in words, completing "'x' is not ...".</param>
/// <param name="HelpName">The value's name in usage lines: n, x, float32|bf16.</param>
/// <param name="Read">Text to value; false when the text does not have the form (the range is <paramref name="Allows"/>'s).</param>
/// <param name="Allows">Whether a value of the type is allowed.</param>
/// <param name="Write">Value to its canonical text.</param>
/// <param name="ToJson">Value to its settings.json form (numbers and true/false unquoted).</param>
/// <param name="InHelp">Whether help states <paramref name="Accepted"/> (not when the help name or the text says it all).</param>
public sealed record ValueKind<T>(string Accepted, string HelpName, Func<string, (bool Ok, T Value)> Read, Func<T, bool> Allows,
    Func<T, string> Write, Func<T, JsonNode?> ToJson, bool InHelp = true);

/// <summary>The kinds of setting values.</summary>
public static class ValueKinds
{
    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>, optionally with one more rule
    /// (<paramref name="rule"/>, described by <paramref name="accepted"/>, e.g. odd).</summary>
    public static ValueKind<T> Whole<T>(T min, T max, Func<T, bool>? rule = null, string? accepted = null) where T : struct, IBinaryInteger<T>, IMinMaxValue<T> =>
        new(accepted ?? $"a whole number from {min} to {max}", "n",
            text => (T.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v), v),
            v => v >= min && v <= max && (rule is null || rule(v)),
            v => v.ToString(null, CultureInfo.InvariantCulture), v => JsonValue.Create(v));

    /// <summary>A finite number within <paramref name="interval"/>.</summary>
    public static ValueKind<double> Number(Interval interval) =>
        new($"a number in {interval}", "x",
            text => (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v), v),
            interval.Contains, v => v.ToString("R", CultureInfo.InvariantCulture), v => JsonValue.Create(v));

    /// <summary>One of <paramref name="choices"/>, by name (any case); written by its name. Usage lines show a
    /// few choices (<c>&lt;float32|bf16&gt;</c>), help lists more.</summary>
    public static ValueKind<T> Choice<T>(params (string Name, T Value)[] choices) where T : notnull =>
        new(choices.Length <= 2 ? TextList.Or(choices.Select(c => c.Name)) : $"one of {TextList.Or(choices.Select(c => c.Name))}",
            choices.Length <= 4 ? string.Join("|", choices.Select(c => c.Name)) : "name",
            text => choices.FirstOrDefault(c => string.Equals(c.Name, text.Trim(), StringComparison.OrdinalIgnoreCase)) is { Name: not null } c ? (true, c.Value) : (false, default!),
            v => choices.Any(c => EqualityComparer<T>.Default.Equals(c.Value, v)),
            v => choices.First(c => EqualityComparer<T>.Default.Equals(c.Value, v)).Name, v => JsonValue.Create(choices.First(c => EqualityComparer<T>.Default.Equals(c.Value, v)).Name),
            InHelp: choices.Length > 4);

    /// <summary>A comma list of some of <paramref name="names"/>, each once.</summary>
    public static ValueKind<string[]> Names(IReadOnlyList<string> names) =>
        new($"a comma list of {TextList.Or(names)}", "list",
            text => (true, text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)),
            v => v.Length > 0 && v.All(names.Contains) && v.Distinct().Count() == v.Length,
            v => string.Join(",", v), v => JsonValue.Create(string.Join(",", v)));

    /// <summary>Non-empty text (a folder, a file, a comma list checked where it is used).</summary>
    public static ValueKind<string> Text(string accepted, string helpName) =>
        new(accepted, helpName, text => (text.Length > 0, text), v => v.Length > 0, v => v, v => JsonValue.Create(v), InHelp: false);

    /// <summary>Files and folders, one token each (several tokens make one value).</summary>
    public static ValueKind<string[]> Paths { get; } =
        new("files or folders", "paths", text => (text.Length > 0, text.Split('\n')), v => v.Length > 0 && v.All(p => p.Length > 0),
            v => string.Join("\n", v), v => new JsonArray([.. v.Select(p => JsonValue.Create(p))]), InHelp: false);

    /// <summary>true or false: given alone on the command line (<c>--multiclass</c>) it means true.</summary>
    public static ValueKind<bool> Flag { get; } =
        new("true or false", "true|false", text => (bool.TryParse(text.Trim(), out var v), v), _ => true,
            v => v ? "true" : "false", v => JsonValue.Create(v), InHelp: false);

    /// <summary>The same kind with "not set" (null) allowed, for settings without a default value.</summary>
    public static ValueKind<T?> Optional<T>(ValueKind<T> kind) where T : struct =>
        new(kind.Accepted, kind.HelpName, text => kind.Read(text) is var (ok, v) && ok ? (true, v) : (false, null),
            v => v is null || kind.Allows(v.Value), v => v is null ? "" : kind.Write(v.Value), v => v is null ? null : kind.ToJson(v.Value), kind.InHelp);

    /// <summary>The same kind with "not set" (null) allowed, for text settings without a default value.</summary>
    public static ValueKind<string?> Optional(ValueKind<string> kind) =>
        new(kind.Accepted, kind.HelpName, text => kind.Read(text), v => v is null || kind.Allows(v), v => v ?? "", v => v is null ? null : kind.ToJson(v), kind.InHelp);
}

/// <summary>An interval of numbers as written in the docs: [0, 1) includes 0 and not 1.</summary>
public readonly record struct Interval(double Low, bool LowIncluded, double High, bool HighIncluded)
{
    public bool Contains(double value) =>
        (LowIncluded ? value >= Low : value > Low) && (HighIncluded ? value <= High : value < High);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(LowIncluded ? '[' : '(')}{Low}, {High}{(HighIncluded ? ']' : ')')}");
}

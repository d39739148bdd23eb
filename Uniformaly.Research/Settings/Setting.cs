using System.Text.Json.Nodes;
using Uniformaly.Research.Common;

namespace Uniformaly.Research.Settings;

/// <summary>
/// One setting as users see it: its name (the one spelling of the command-line option, the config
/// and settings.json key, the reproduction key), help, default and accepted values. Every way a
/// value arrives (command line, --config, settings.json, --set, a reproduction definition or sweep)
/// goes through <see cref="Setting{T}.Parse(IReadOnlyList{string}, string)"/>, so each setting is
/// checked by one rule with one message. <see cref="SettingTable"/> declares the toolkit's settings.
/// </summary>
public abstract class Setting(string name, string help)
{
    /// <summary>kebab-case: <c>knn-precision</c>.</summary>
    public string Name { get; } = name;

    /// <summary>How the command line spells it: <c>--knn-precision</c>.</summary>
    public string Option => "--" + Name;

    public string Help { get; } = help;

    /// <summary>A command that takes it fails without it.</summary>
    public bool Required { get; init; }

    /// <summary>true or false, given alone on the command line for true.</summary>
    public abstract bool IsFlag { get; }

    /// <summary>Takes several values (files and folders).</summary>
    public abstract bool IsList { get; }

    /// <summary>The accepted values in words.</summary>
    public abstract string Accepted { get; }

    /// <summary>The value's name in usage lines.</summary>
    public abstract string HelpName { get; }

    /// <summary>Whether help states the accepted values (not when the value's name or the help says them).</summary>
    public abstract bool AcceptedInHelp { get; }

    /// <summary>The default as text, or null when it has none.</summary>
    public abstract string? DefaultText { get; }

    /// <summary>The default value.</summary>
    public abstract object? DefaultValue { get; }

    /// <summary>Parses <paramref name="tokens"/> (one, or several for a list).</summary>
    /// <exception cref="SettingException">not an accepted value; the message starts with <paramref name="where"/>.</exception>
    public abstract object? ParseValue(IReadOnlyList<string> tokens, string where);

    /// <summary>The value's settings.json form (null when not set).</summary>
    public abstract JsonNode? ToJson(object? value);

    /// <summary>The value as the command line writes it (one token, or one per item of a list).</summary>
    public abstract IReadOnlyList<string> ToTokens(object? value);

    /// <summary>Throws unless <paramref name="value"/> is allowed (for values made in code).</summary>
    public abstract void Check(object? value, string where);

    public override string ToString() => Name;
}

/// <summary>A setting whose values are <typeparamref name="T"/>s (nullable for settings without a default).</summary>
public sealed class Setting<T>(string name, string help, T defaultValue, ValueKind<T> kind, bool isList = false) : Setting(name, help)
{
    public T Default { get; } = defaultValue;

    public ValueKind<T> Kind { get; } = kind;

    public override bool IsFlag => typeof(T) == typeof(bool);

    public override bool IsList => isList;

    public override string Accepted => Kind.Accepted;

    public override string HelpName => Kind.HelpName;

    public override bool AcceptedInHelp => Kind.InHelp;

    public override string? DefaultText => Default is null || IsList ? null : Kind.Write(Default);

    public override object? DefaultValue => Default;

    /// <summary>One value from its text.</summary>
    public T Parse(string text, string where) => Parse([text], where);

    /// <summary>One value from its tokens (several only for a list, whose <see cref="Kind"/> reads them joined by newlines).</summary>
    public T Parse(IReadOnlyList<string> tokens, string where)
    {
        if (tokens.Count != 1 && !IsList)
            throw new SettingException($"{where}: takes one value, got {tokens.Count}");
        var text = string.Join("\n", tokens);
        var (ok, value) = Kind.Read(text);
        if (!ok || !Kind.Allows(value)) throw new SettingException($"{where}: '{Shown(text)}' is not {Accepted}");
        return value;
    }

    public override object? ParseValue(IReadOnlyList<string> tokens, string where) => Parse(tokens, where);

    /// <summary>Throws unless <paramref name="value"/> is allowed.</summary>
    public void Check(T value, string where)
    {
        if (!Kind.Allows(value)) throw new SettingException($"{where}: '{Shown(Kind.Write(value))}' is not {Accepted}");
    }

    public override void Check(object? value, string where) => Check((T)value!, where);

    public string Format(T value) => Kind.Write(value);

    public override JsonNode? ToJson(object? value) => Kind.ToJson((T)value!);

    public override IReadOnlyList<string> ToTokens(object? value) => IsList ? Kind.Write((T)value!).Split('\n') : [Kind.Write((T)value!)];

    /// <summary>Long text in messages is cut, so a pasted paragraph does not fill the terminal.</summary>
    private static string Shown(string text) => text.Length <= 80 ? text : text[..77] + "...";
}

namespace Uniformaly.Research.Common;

/// <summary>
/// A setting the user got wrong: an invalid value, a value that does not fit another setting or
/// the backbone, an unknown key. The message is in the user's words: it names where the value came
/// from (<c>--kernel</c>, or a file and its key) and what is accepted. The command line reports it
/// as a usage error (exit code 2).
/// </summary>
public sealed class SettingException(string message) : ArgumentException(message);

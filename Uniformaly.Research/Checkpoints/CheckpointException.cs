namespace Uniformaly.Research.Checkpoints;

/// <summary>A checkpoint file that cannot be read safely or does not fit the model: the message
/// names the file and every offending item.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string path, string message, Exception? inner = null)
        : base($"checkpoint '{path}': {message}", inner)
    {
        Path = path;
    }

    /// <summary>The file the problem was found in.</summary>
    public string Path { get; }
}

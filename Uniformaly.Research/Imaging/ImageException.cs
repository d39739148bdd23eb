namespace Uniformaly.Research.Imaging;

/// <summary>An image file that cannot be read or written (missing, empty, truncated, corrupt or in an
/// unsupported format); the message names the file and the reason.</summary>
public sealed class ImageException : Exception
{
    public ImageException(string path, string reason, Exception? inner = null)
        : base($"{path}: {reason}", inner)
    {
        FilePath = path;
        Reason = reason;
    }

    /// <summary>The file concerned.</summary>
    public string FilePath { get; }

    /// <summary>Why it failed, without the file name.</summary>
    public string Reason { get; }
}

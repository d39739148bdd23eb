using System.Runtime.InteropServices;

namespace Uniformaly.Research.Torch;

/// <summary>An error raised inside libtorch (or the bridge), carrying libtorch's own message.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }

    /// <summary>The message the last failed native call left on this thread.</summary>
    internal static TorchException FromLastError()
    {
        var message = Marshal.PtrToStringUTF8(Native.ufm_last_error());
        return new TorchException(string.IsNullOrEmpty(message) ? "libtorch call failed without a message" : message);
    }

    internal static void Check(int status)
    {
        if (status != 0) throw FromLastError();
    }
}

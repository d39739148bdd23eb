using System.Runtime.InteropServices;

namespace Uniformaly.Research.Imaging;

/// <summary>The image codec exports of native/src/codecs.cpp. Both return 0 on success, -1 on
/// failure with the reason in ufm_last_error; returned buffers are released with ufm_image_free.</summary>
internal static unsafe class CodecNative
{
    private const string Lib = "uniformaly_native";

    [DllImport(Lib)] internal static extern IntPtr ufm_last_error();
    [DllImport(Lib)] internal static extern int ufm_image_decode(byte* data, long size, int format, out IntPtr pixels,
        out int width, out int height, out int channels);
    [DllImport(Lib)] internal static extern void ufm_image_free(IntPtr pixels);
    [DllImport(Lib)] internal static extern int ufm_png_encode(byte* pixels, int width, int height, int channels,
        out IntPtr png, out long length);
    [DllImport(Lib)] internal static extern int ufm_image_codecs_available();

    internal static string LastError()
    {
        var message = Marshal.PtrToStringUTF8(ufm_last_error());
        return string.IsNullOrEmpty(message) ? "native codec failed without a message" : message;
    }

    /// <summary>Copies a native buffer into a managed array and releases it.</summary>
    internal static byte[] TakeBuffer(IntPtr buffer, long length)
    {
        try
        {
            var bytes = new byte[length];
            Marshal.Copy(buffer, bytes, 0, checked((int)length));
            return bytes;
        }
        finally
        {
            ufm_image_free(buffer);
        }
    }
}

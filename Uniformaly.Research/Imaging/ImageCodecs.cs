namespace Uniformaly.Research.Imaging;

/// <summary>Whether the native bridge was built with its PNG/JPEG/TIFF codecs (libpng, libjpeg,
/// libtiff). Without them (native/ configured with UFM_WITH_CODECS=OFF or the libraries missing,
/// as on a bare GPU machine) every PNG/JPEG/TIFF read or write fails with an
/// <see cref="ImageException"/> naming the file; BMP still decodes (managed).</summary>
public static class ImageCodecs
{
    public static bool Available => CodecNative.ufm_image_codecs_available() != 0;
}

namespace Uniformaly.Research.Imaging;

/// <summary>PIL's resampling filters (Pillow's Resample.c): a kernel and its support radius at scale 1.</summary>
public enum PilFilter
{
    /// <summary>Triangle kernel, support 1 (Image.BILINEAR; antialiased when reducing).</summary>
    Bilinear,

    /// <summary>sinc(x)·sinc(x/3) on [-3, 3) (Image.LANCZOS, also spelled Image.ANTIALIAS).</summary>
    Lanczos,
}

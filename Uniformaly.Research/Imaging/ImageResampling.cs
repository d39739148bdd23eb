namespace Uniformaly.Research.Imaging;

/// <summary>How images are resized: both are antialiased bilinear with PIL's kernel.</summary>
public enum ImageResampling
{
    /// <summary><see cref="PilResampler"/>: PIL's fixed-point resampler, byte-identical to torchvision
    /// on PIL images (the default: exact, and about 6x faster than libtorch 1.13's CPU antialias
    /// kernel on a 1024x1024 image).</summary>
    Pil,

    /// <summary>libtorch's F.interpolate(antialias=True) on float 0..255, rounded and clamped:
    /// within one level of PIL (about 10-20% of the values differ by one).</summary>
    Libtorch,
}

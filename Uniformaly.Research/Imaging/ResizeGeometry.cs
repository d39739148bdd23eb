namespace Uniformaly.Research.Imaging;

/// <summary>The sizes and offsets of torchvision's Resize(int) and CenterCrop(int) on PIL images.</summary>
public static class ResizeGeometry
{
    /// <summary>Resize(resize): the shorter side becomes <paramref name="resize"/>, the longer side
    /// int(resize * long / short) (truncated), so the aspect ratio is kept.</summary>
    public static (int Width, int Height) ShorterSideTo(int width, int height, int resize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(resize);
        if (width <= height) return (resize, (int)((long)resize * height / width));
        return ((int)((long)resize * width / height), resize);
    }

    /// <summary>CenterCrop's start offset along one side: round((size - crop) / 2) with ties to even
    /// (Python's round), so 58.5 -> 58 and 37.5 -> 38.</summary>
    public static int CenterCropOffset(int size, int crop)
    {
        if (crop > size) throw new ArgumentOutOfRangeException(nameof(crop), crop, $"crop larger than the side {size}");
        return (int)Math.Round((size - crop) / 2.0, MidpointRounding.ToEven);
    }
}

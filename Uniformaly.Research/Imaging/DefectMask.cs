namespace Uniformaly.Research.Imaging;

/// <summary>
/// A binary defect mask at the original image's size from an anomaly map of its centre crop
/// (docs/method.md section 1: shorter side resized to <c>resize</c>, then a centred <c>imagesize</c>
/// square): each original pixel takes the map value at its position in the crop (nearest); pixels
/// outside the crop were not scored and stay 0.
/// </summary>
public static class DefectMask
{
    /// <summary>Width x height bytes, 255 where the map is at or above <paramref name="threshold"/>, else 0.</summary>
    /// <param name="map">The anomaly map, imageSize x imageSize, row-major.</param>
    /// <param name="threshold">The pixel threshold.</param>
    /// <param name="width">The original image's width.</param>
    /// <param name="height">Its height.</param>
    /// <param name="resize">The shorter side after resizing.</param>
    /// <param name="imageSize">The crop's side.</param>
    public static byte[] AtOriginalSize(ReadOnlySpan<float> map, float threshold, int width, int height, int resize, int imageSize)
    {
        if (map.Length != imageSize * imageSize) throw new ArgumentException($"map has {map.Length} values, not {imageSize} x {imageSize}");
        var (resizedWidth, resizedHeight) = ResizeGeometry.ShorterSideTo(width, height, resize);
        var (left, top) = (ResizeGeometry.CenterCropOffset(resizedWidth, imageSize), ResizeGeometry.CenterCropOffset(resizedHeight, imageSize));
        var columns = new int[width];
        for (var x = 0; x < width; x++) columns[x] = CropCoordinate(x, width, resizedWidth, left);
        var mask = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            var row = CropCoordinate(y, height, resizedHeight, top);
            if (row < 0 || row >= imageSize) continue;
            for (var x = 0; x < width; x++)
                if (columns[x] >= 0 && columns[x] < imageSize && map[row * imageSize + columns[x]] >= threshold) mask[y * width + x] = 255;
        }
        return mask;
    }

    /// <summary>Pixel <paramref name="i"/>'s centre, scaled from <paramref name="size"/> to <paramref name="resized"/>, in crop coordinates.</summary>
    private static int CropCoordinate(int i, int size, int resized, int offset) =>
        (int)Math.Floor((i + 0.5) * resized / size) - offset;
}

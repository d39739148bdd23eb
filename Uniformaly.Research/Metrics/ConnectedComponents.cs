namespace Uniformaly.Research.Metrics;

/// <summary>Labels the 8-connected regions of a binary mask (skimage.measure.label's default in 2-D).</summary>
public static class ConnectedComponents
{
    /// <summary>Region ids per pixel (0 = background, 1..count) and the region count.</summary>
    public static (int[] Labels, int Count) Label(ReadOnlySpan<byte> mask, int height, int width)
    {
        if (mask.Length != height * width) throw new ArgumentException($"mask has {mask.Length} pixels, expected {height}x{width}");
        var labels = new int[mask.Length];
        var stack = new Stack<int>();
        var count = 0;
        for (var start = 0; start < mask.Length; start++)
        {
            if (mask[start] == 0 || labels[start] != 0) continue;
            labels[start] = ++count;
            stack.Push(start);
            while (stack.Count > 0) Spread(stack.Pop(), mask, labels, stack, height, width, count);
        }
        return (labels, count);
    }

    private static void Spread(int pixel, ReadOnlySpan<byte> mask, int[] labels, Stack<int> stack, int height, int width, int id)
    {
        var (y, x) = (pixel / width, pixel % width);
        for (var dy = -1; dy <= 1; dy++)
        for (var dx = -1; dx <= 1; dx++)
        {
            var (ny, nx) = (y + dy, x + dx);
            if ((uint)ny >= (uint)height || (uint)nx >= (uint)width) continue;
            var neighbour = ny * width + nx;
            if (mask[neighbour] == 0 || labels[neighbour] != 0) continue;
            labels[neighbour] = id;
            stack.Push(neighbour);
        }
    }
}

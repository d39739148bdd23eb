using Uniformaly.Research.Torch;

namespace Uniformaly.Research.Imaging;

/// <summary>
/// AnomalyDINO's augmentation of the reference (training) images for few-shot detection
/// (docs/method.md section 6): each image also rotated by 45°, 90°, ..., 315° counter-clockwise about
/// its centre, bilinear, with mirrored borders (OpenCV's BORDER_REFLECT_101, scipy's "mirror").
/// AnomalyDINO rotates the image file before resizing, about OpenCV's centre (W/2, H/2); this rotates
/// the network's input about its geometric centre ((S − 1)/2), so quarter turns move pixels exactly.
/// </summary>
public static class ReferenceRotation
{
    /// <summary>AnomalyDINO's angles in degrees, the identity first.</summary>
    public static IReadOnlyList<double> Angles { get; } = [0, 45, 90, 135, 180, 225, 270, 315];

    /// <summary>Every image of [B, C, H, W] followed by its rotations: [B * <see cref="Angles"/>.Count, C, H, W] float32.</summary>
    public static Tensor Augment(Tensor images)
    {
        if (images.Dim != 4) throw new ArgumentException($"images must be [B, C, H, W], got {images}", nameof(images));
        using var scope = new DisposeScope();
        var (b, c, h, w) = (images.Size(0), images.Size(1), (int)images.Size(2), (int)images.Size(3));
        var source = images.To(Device.Cpu, DType.Float32).Contiguous().ToArray<float>();
        var plane = h * w;
        var output = new float[source.Length * Angles.Count];
        Parallel.For(0, (int)b * Angles.Count, job =>
        {
            var (image, angle) = (job / Angles.Count, job % Angles.Count);
            for (var channel = 0; channel < c; channel++)
            {
                var from = ((long)image * c + channel) * plane;
                var to = ((long)job * c + channel) * plane;
                Rotate(source.AsSpan((int)from, plane), output.AsSpan((int)to, plane), h, w, Angles[angle]);
            }
        });
        return scope.MoveToOuter(Tensor.FromArray(output, b * Angles.Count, c, h, w).To(images.Device));
    }

    /// <summary>One H x W plane rotated by <paramref name="degrees"/> counter-clockwise: each output
    /// pixel reads the source at the inversely rotated position, bilinearly from mirrored samples.</summary>
    public static void Rotate(ReadOnlySpan<float> source, Span<float> output, int h, int w, double degrees)
    {
        var radians = degrees * Math.PI / 180;
        var (cos, sin) = (Math.Cos(radians), Math.Sin(radians));
        var (cy, cx) = ((h - 1) / 2.0, (w - 1) / 2.0);
        for (var y = 0; y < h; y++)
        for (var x = 0; x < w; x++)
        {
            var (dx, dy) = (x - cx, y - cy);
            var sx = cos * dx - sin * dy + cx;
            var sy = sin * dx + cos * dy + cy;
            var (x0, y0) = ((int)Math.Floor(sx), (int)Math.Floor(sy));
            var (tx, ty) = (sx - x0, sy - y0);
            var (left, right) = (Mirror(x0, w), Mirror(x0 + 1, w));
            var (top, bottom) = (Mirror(y0, h) * w, Mirror(y0 + 1, h) * w);
            var upper = (1 - tx) * source[top + left] + tx * source[top + right];
            var lower = (1 - tx) * source[bottom + left] + tx * source[bottom + right];
            output[y * w + x] = (float)((1 - ty) * upper + ty * lower);
        }
    }

    /// <summary>Index <paramref name="i"/> reflected into [0, n) about the edge samples (… c b | a b c d | c b …).</summary>
    private static int Mirror(int i, int n)
    {
        if (n == 1) return 0;
        var period = 2 * (n - 1);
        i = Math.Abs(i) % period;
        return i < n ? i : period - i;
    }
}

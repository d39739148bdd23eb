namespace Uniformaly.Research.Imaging;

/// <summary>
/// Pillow's 8-bit ImagingResample, reproduced bit for bit: a separable convolution, horizontal pass
/// first, then vertical; each output sample's kernel is stretched by the scale when reducing,
/// normalized to sum 1 in double, then quantized to fixed point with 22 fractional bits
/// (PRECISION_BITS = 32 - 8 - 2); sums start at one half and are clipped to 0..255 after each pass,
/// so the intermediate image is 8-bit like PIL's.
/// </summary>
public static class PilResampler
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>Resizes HWC bytes with 1..4 interleaved channels from width x height to outWidth x outHeight.</summary>
    public static byte[] Resize(byte[] pixels, int width, int height, int channels, int outWidth, int outHeight, PilFilter filter)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (channels is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(channels), channels, "1 to 4 channels");
        if (width <= 0 || height <= 0 || pixels.Length != (long)width * height * channels)
            throw new ArgumentException($"{pixels.Length} bytes do not make a {width}x{height}x{channels} image", nameof(pixels));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outHeight);
        var current = pixels;
        if (outWidth != width)
            current = Horizontal(current, width, height, channels, Coefficients.For(width, outWidth, filter));
        if (outHeight != height)
            current = Vertical(current, outWidth, height, channels, Coefficients.For(height, outHeight, filter));
        return ReferenceEquals(current, pixels) ? (byte[])pixels.Clone() : current;
    }

    private static byte[] Horizontal(byte[] input, int width, int height, int channels, Coefficients k)
    {
        var output = new byte[(long)k.OutSize * height * channels];
        for (int y = 0; y < height; y++)
        {
            int rowIn = y * width * channels, rowOut = y * k.OutSize * channels;
            for (int x = 0; x < k.OutSize; x++)
            for (int c = 0; c < channels; c++)
            {
                int sum = 1 << (PrecisionBits - 1);
                for (int i = 0; i < k.Count[x]; i++)
                    sum += input[rowIn + (k.First[x] + i) * channels + c] * k.Weights[x * k.Size + i];
                output[rowOut + x * channels + c] = Clip8(sum);
            }
        }
        return output;
    }

    private static byte[] Vertical(byte[] input, int width, int height, int channels, Coefficients k)
    {
        int stride = width * channels;
        var output = new byte[(long)k.OutSize * stride];
        for (int y = 0; y < k.OutSize; y++)
        for (int j = 0; j < stride; j++)
        {
            int sum = 1 << (PrecisionBits - 1);
            for (int i = 0; i < k.Count[y]; i++)
                sum += input[(k.First[y] + i) * stride + j] * k.Weights[y * k.Size + i];
            output[y * stride + j] = Clip8(sum);
        }
        return output;
    }

    private static byte Clip8(int value) =>
        value >= 255 << PrecisionBits ? (byte)255 : value <= 0 ? (byte)0 : (byte)(value >> PrecisionBits);

    /// <summary>Per output sample: the first input index, how many inputs, and fixed-point weights
    /// (row-major, <see cref="Size"/> per output) — precompute_coeffs + normalize_coeffs_8bpc.</summary>
    private sealed class Coefficients
    {
        public required int OutSize { get; init; }
        public required int Size { get; init; }
        public required int[] First { get; init; }
        public required int[] Count { get; init; }
        public required int[] Weights { get; init; }

        public static Coefficients For(int inSize, int outSize, PilFilter filter)
        {
            double support0 = filter == PilFilter.Lanczos ? 3.0 : 1.0;
            double scale = (double)inSize / outSize;
            double filterScale = Math.Max(scale, 1.0);
            double support = support0 * filterScale;
            int size = (int)Math.Ceiling(support) * 2 + 1;
            var first = new int[outSize];
            var count = new int[outSize];
            var weights = new int[outSize * size];
            var kernel = new double[size];
            double inverseScale = 1.0 / filterScale; // PIL multiplies by the reciprocal; kept for bit-exact weights
            for (int o = 0; o < outSize; o++)
            {
                double center = (o + 0.5) * scale;
                // PIL rounds the window ends by adding 0.5 and truncating toward zero.
                int xmin = Math.Max((int)(center - support + 0.5), 0);
                int xmax = Math.Min((int)(center + support + 0.5), inSize) - xmin;
                double total = 0;
                for (int i = 0; i < xmax; i++)
                {
                    kernel[i] = Kernel(filter, (i + xmin - center + 0.5) * inverseScale);
                    total += kernel[i];
                }
                for (int i = 0; i < xmax; i++)
                {
                    double w = total != 0.0 ? kernel[i] / total : kernel[i];
                    weights[o * size + i] = (int)(w < 0 ? -0.5 + w * (1 << PrecisionBits) : 0.5 + w * (1 << PrecisionBits));
                }
                first[o] = xmin;
                count[o] = xmax;
            }
            return new Coefficients { OutSize = outSize, Size = size, First = first, Count = count, Weights = weights };
        }

        private static double Kernel(PilFilter filter, double x) => filter switch
        {
            PilFilter.Bilinear => Math.Max(1.0 - Math.Abs(x), 0.0),
            PilFilter.Lanczos => -3.0 <= x && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0,
            _ => throw new ArgumentOutOfRangeException(nameof(filter), filter, null),
        };

        private static double Sinc(double x)
        {
            if (x == 0.0) return 1.0;
            x *= Math.PI;
            return Math.Sin(x) / x;
        }
    }
}

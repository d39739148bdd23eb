using System.Buffers.Binary;
using BitMiracle.LibTiff.Classic;

namespace Uniformaly.Research.Imaging;

/// <summary>
/// TIFF through LibTiff.NET (a managed port of libtiff, PIL's TIFF decoder): unsigned 8-bit gray,
/// gray+alpha, RGB, RGBA and palette, 16-bit gray, RGB and RGBA, and bilevel, in strips or tiles,
/// converted as PIL's convert does: MINISWHITE inverted, bilevel to 0/255, extra samples (alpha)
/// dropped, palette through the colormap's high bytes, 16-bit gray (PIL mode I;16) clipped to 255,
/// 16-bit colour reduced to its high byte, associated alpha divided out as PIL's "RGBa" unpacker
/// does. Other layouts are rejected as unsupported.
/// </summary>
internal static class TiffDecoder
{
    static TiffDecoder() => Tiff.SetErrorHandler(new FirstErrorKeeper());

    /// <exception cref="InvalidDataException">the data is truncated, corrupt or an unsupported layout.</exception>
    internal static DecodedPixels Decode(byte[] data)
    {
        FirstErrorKeeper.Clear();
        try
        {
            using var tif = Tiff.ClientOpen("memory", "r", new MemoryStream(data, writable: false), new TiffStream())
                ?? throw Failure("cannot read header");
            return Read(tif);
        }
        catch (Exception e) when (e is not (InvalidDataException or OutOfMemoryException))
        {
            // LibTiff.NET reports some damage by throwing (an index past a truncated buffer, ...).
            throw Failure("corrupt data", e);
        }
    }

    private static DecodedPixels Read(Tiff tif)
    {
        var width = Field(tif, TiffTag.IMAGEWIDTH) ?? throw Failure("missing image size");
        var height = Field(tif, TiffTag.IMAGELENGTH) ?? throw Failure("missing image size");
        var photometric = (Photometric)(Field(tif, TiffTag.PHOTOMETRIC) ?? throw Failure("missing photometric interpretation"));
        if (width <= 0 || height <= 0) throw Failure($"invalid image size {width}x{height}");
        PixelLimit.Check(width, height);
        var layout = TiffLayout.Of(tif, photometric);
        var colormap = photometric == Photometric.PALETTE ? Colormap(tif) : null;
        var channels = layout.Gray ? 1 : 3;
        var stride = tif.ScanlineSize();
        var rows = ReadRows(tif, width, height, layout.Bits * layout.Samples);
        var pixels = new byte[(long)width * height * channels];
        for (var y = 0; y < height; y++)
            ConvertRow(rows.AsSpan(y * stride, stride), pixels.AsSpan(y * width * channels, width * channels), width, layout, colormap);
        return new DecodedPixels(width, height, channels, pixels);
    }

    private static int? Field(Tiff tif, TiffTag tag) => tif.GetField(tag) is { Length: > 0 } values ? values[0].ToInt() : null;

    /// <summary>The colormap's high bytes as RGB triples, one per 8-bit index.</summary>
    private static byte[] Colormap(Tiff tif)
    {
        var map = tif.GetField(TiffTag.COLORMAP) ?? throw Failure("palette image without colormap");
        var palette = new byte[256 * 3];
        for (var c = 0; c < 3; c++)
        {
            var values = map[c].ToShortArray();
            if (values.Length < 256) throw Failure("palette image with a short colormap");
            for (var i = 0; i < 256; i++) palette[3 * i + c] = (byte)((ushort)values[i] >> 8);
        }
        return palette;
    }

    /// <summary>The stored samples of every row, scanline layout (ScanlineSize bytes per row), from
    /// strips or from tiles (tiles past the right and bottom edges clipped).</summary>
    private static byte[] ReadRows(Tiff tif, int width, int height, int pixelBits)
    {
        var stride = tif.ScanlineSize();
        if (stride < ((long)width * pixelBits + 7) / 8) throw Failure("invalid row size");
        var rows = new byte[(long)stride * height];
        if (!tif.IsTiled())
        {
            for (var y = 0; y < height; y++)
                if (!tif.ReadScanline(rows, y * stride, y, 0)) throw Failure($"cannot read row {y}");
            return rows;
        }
        var tileWidth = Field(tif, TiffTag.TILEWIDTH) ?? 0;
        var tileHeight = Field(tif, TiffTag.TILELENGTH) ?? 0;
        var tileStride = tif.TileRowSize();
        var tile = new byte[tif.TileSize()];
        if (tileWidth <= 0 || tileHeight <= 0 || tileWidth % 8 != 0 || tileStride < ((long)tileWidth * pixelBits + 7) / 8
            || tile.Length < (long)tileStride * tileHeight)
            throw Failure("invalid tile size");
        for (var ty = 0; ty < height; ty += tileHeight)
            for (var tx = 0; tx < width; tx += tileWidth)
            {
                if (tif.ReadTile(tile, 0, tx, ty, 0, 0) < 0) throw Failure($"cannot read tile at {tx},{ty}");
                // Tile widths are multiples of 16 pixels, so a tile's first sample starts on a byte.
                int columns = Math.Min(tileWidth, width - tx), lines = Math.Min(tileHeight, height - ty);
                var offset = (int)((long)tx * pixelBits / 8);
                var bytes = (int)(((long)columns * pixelBits + 7) / 8);
                for (var r = 0; r < lines; r++)
                    tile.AsSpan(tileStride * r, bytes).CopyTo(rows.AsSpan((ty + r) * stride + offset));
            }
        return rows;
    }

    private static void ConvertRow(ReadOnlySpan<byte> source, Span<byte> target, int width, TiffLayout layout, byte[]? colormap)
    {
        var inverted = layout.Photometric == Photometric.MINISWHITE;
        for (var x = 0; x < width; x++)
        {
            if (layout.Bits == 1)
            {
                var white = ((source[x >> 3] >> (7 - (x & 7))) & 1) != 0;
                target[x] = white != inverted ? (byte)255 : (byte)0;
            }
            else if (layout.Bits == 16 && layout.Gray)
            {
                var value = BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * x * layout.Samples)..]);
                target[x] = (byte)Math.Min(value, (ushort)255);
            }
            else if (layout.Bits == 16)
            {
                for (var c = 0; c < 3; c++)
                    target[3 * x + c] = (byte)(BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * (x * layout.Samples + c))..]) >> 8);
            }
            else if (colormap is not null)
            {
                colormap.AsSpan(3 * source[x], 3).CopyTo(target[(3 * x)..]);
            }
            else if (layout.Premultiplied)
            {
                var pixel = source.Slice(x * layout.Samples, 4);
                int alpha = pixel[3];
                for (var c = 0; c < 3; c++)
                    target[3 * x + c] = (byte)(alpha == 0 ? 0 : alpha == 255 ? pixel[c] : Math.Min(255, pixel[c] * 255 / alpha));
            }
            else if (layout.Gray)
            {
                var value = source[x * layout.Samples];
                target[x] = inverted ? (byte)(255 - value) : value;
            }
            else
            {
                source.Slice(x * layout.Samples, 3).CopyTo(target[(3 * x)..]);
            }
        }
    }

    private static InvalidDataException Failure(string what, Exception? inner = null)
    {
        var detail = FirstErrorKeeper.Message is { } message ? $"{what} ({message})" : what;
        return new InvalidDataException(detail, inner);
    }

    /// <summary>Keeps libtiff's first error message of the decode running on this thread (for the
    /// exception) and drops warnings; LibTiff.NET's default handler prints both to the console.</summary>
    private sealed class FirstErrorKeeper : TiffErrorHandler
    {
        [ThreadStatic] private static string? _message;

        internal static string? Message => _message;

        internal static void Clear() => _message = null;

        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args) =>
            _message ??= string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);

        public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
        {
        }

        public override void WarningHandler(Tiff tif, string method, string format, params object[] args)
        {
        }

        public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
        {
        }
    }
}

/// <summary>The sample layout of a TIFF, checked against what <see cref="TiffDecoder"/> converts.</summary>
internal readonly record struct TiffLayout(Photometric Photometric, int Bits, int Samples, bool Premultiplied)
{
    public bool Gray => Photometric is Photometric.MINISBLACK or Photometric.MINISWHITE;

    /// <exception cref="InvalidDataException">a layout PIL reads but this decoder does not.</exception>
    public static TiffLayout Of(Tiff tif, Photometric photometric)
    {
        int Defaulted(TiffTag tag) => tif.GetFieldDefaulted(tag) is { Length: > 0 } values ? values[0].ToInt() : 0;
        var bits = Defaulted(TiffTag.BITSPERSAMPLE);
        var samples = Defaulted(TiffTag.SAMPLESPERPIXEL);
        var planar = (PlanarConfig)Defaulted(TiffTag.PLANARCONFIG);
        var format = (SampleFormat)Defaulted(TiffTag.SAMPLEFORMAT);
        var extra = photometric == Photometric.RGB && samples == 4 ? tif.GetField(TiffTag.EXTRASAMPLES) : null;
        var premultiplied = extra is { Length: >= 2 } && extra[1].ToShortArray() is { Length: >= 1 } types
            && (ExtraSample)types[0] == ExtraSample.ASSOCALPHA;
        var layout = new TiffLayout(photometric, bits, samples, premultiplied);
        var rgb = photometric == Photometric.RGB && samples is 3 or 4;
        var supported = planar == PlanarConfig.CONTIG && format == SampleFormat.UINT
            && ((layout.Gray && bits == 1 && samples == 1) || (layout.Gray && bits == 8 && samples <= 2)
                || (photometric == Photometric.MINISBLACK && bits == 16 && samples == 1)
                || (rgb && bits == 8) || (rgb && bits == 16 && !premultiplied)
                || (photometric == Photometric.PALETTE && bits == 8 && samples == 1));
        if (!supported)
            throw new InvalidDataException($"unsupported layout (photometric {(int)photometric}, {samples} samples of {bits} bits, "
                + $"format {(int)format}, planar {(int)planar}{(premultiplied ? ", premultiplied" : "")}); supported: unsigned "
                + "8-bit gray/RGB/RGBA/palette, 16-bit gray/RGB/RGBA and bilevel, strips or tiles");
        return layout;
    }
}

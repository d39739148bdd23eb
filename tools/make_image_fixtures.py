"""Reference fixtures for Uniformaly.Research.Imaging (SPEC section 1), written by PIL 9.4 and
torchvision 0.14: encoded images of every supported format/mode with PIL's decoded RGB and L
bytes, torchvision Resize+CenterCrop results, normalized tensors, masks and the CIFAR path.

Run: /usr/bin/python3 tools/make_image_fixtures.py   (writes tests/Uniformaly.Tests/fixtures/imaging/)
Raw outputs are HWC uint8 (.u8) or CHW float32 little-endian (.f32); manifest.json describes them.
"""
import io
import json
import os
import struct
import zlib

import numpy as np
from PIL import Image
import torch
import torchvision
from torchvision import transforms

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "Uniformaly.Tests", "fixtures", "imaging")
rng = np.random.default_rng(2307)
manifest = {"decode": [], "preprocess": [], "masks": [], "lanczos": [], "cifar": None}


def pattern(w, h, channels=3):
    """Gradients plus noise so every pixel differs and rounding matters."""
    y, x = np.mgrid[0:h, 0:w]
    planes = [(x * 255 / max(w - 1, 1)), (y * 255 / max(h - 1, 1)), ((x + y) * 7 % 256)]
    img = np.stack(planes[:channels], -1) + rng.integers(-40, 41, (h, w, channels))
    return np.clip(img, 0, 255).astype(np.uint8)


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def raw_png(width, height, bit_depth, color_type, rows, interlaced_body=None):
    """A PNG PIL cannot write (16-bit RGB, 2-bit gray, interlaced...): rows are already packed bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 1 if interlaced_body else 0)
    body = interlaced_body or b"".join(b"\x00" + r for r in rows)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(body)) + png_chunk(b"IEND", b"")


def adam7_body(pixels):
    """Scanlines of the seven Adam7 passes (filter 0), for an 8-bit image [h, w, c]."""
    passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
    body = b""
    for xs, ys, xstep, ystep in passes:
        sub = pixels[ys::ystep, xs::xstep]
        if sub.size:
            body += b"".join(b"\x00" + r.tobytes() for r in sub)
    return body


def raw_bmp32(pixels, top_down=False):
    """32-bit BI_RGB BMP (BGRX) that PIL reads as RGB."""
    h, w, _ = pixels.shape
    bgrx = np.concatenate([pixels[..., ::-1], np.full((h, w, 1), 200, np.uint8)], -1)
    rows = bgrx if top_down else bgrx[::-1]
    data = rows.tobytes()
    header = struct.pack("<IiiHHIIiiII", 40, w, -h if top_down else h, 1, 32, 0, len(data), 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + 40 + len(data), 0, 0, 54) + header + data


def raw_bmp(pixel_rows, width, bits, compression=0, masks=None, header_size=40, top_down=False):
    """A BMP PIL cannot write (16/32-bit, bit fields, V4/V5 headers): pixel_rows are the packed rows,
    top to bottom; the three masks of a 40-byte header follow it, V4/V5 headers hold all four."""
    h = len(pixel_rows)
    stride = (width * bits + 31) // 32 * 4
    rows = pixel_rows if top_down else pixel_rows[::-1]
    data = b"".join(r + b"\0" * (stride - len(r)) for r in rows)
    header = struct.pack("<IiiHHIIiiII", header_size, width, -h if top_down else h, 1, bits, compression, len(data),
                         2835, 2835, 0, 0)
    after = b""
    if header_size >= 56:
        header += struct.pack("<4I", *masks) + b"\0" * (header_size - 56)
    elif masks:
        after = struct.pack("<3I", *masks[:3])
    offset = 14 + header_size + len(after)
    return b"BM" + struct.pack("<IHHI", offset + len(data), 0, 0, offset) + header + after + data


def raw_tiff(pixels, photometric, extra=None, tile=None, deflate=False, claimed_size=None):
    """A little-endian TIFF PIL cannot write (tiled, associated alpha, 16-bit RGB) of unsigned 8- or
    16-bit pixels [h, w, c]: one strip or tiles of tile x tile (padded past the edges), raw or
    zlib-compressed."""
    h, w, c = pixels.shape
    pixels = pixels.astype(pixels.dtype.newbyteorder("<"))
    depth = pixels.dtype.itemsize * 8
    if tile:
        blocks = []
        for ty in range(0, h, tile):
            for tx in range(0, w, tile):
                block = np.zeros((tile, tile, c), pixels.dtype)
                part = pixels[ty:ty + tile, tx:tx + tile]
                block[:part.shape[0], :part.shape[1]] = part
                blocks.append(block.tobytes())
    else:
        blocks = [pixels.tobytes()]
    if deflate:
        blocks = [zlib.compress(b) for b in blocks]
    offsets = [8 + sum(len(b) for b in blocks[:i]) for i in range(len(blocks))]
    arrays = b""
    arrays_at = 8 + sum(len(b) for b in blocks)

    def array(fmt, values):  # a tag value stored outside the IFD; returns its offset
        nonlocal arrays
        at = arrays_at + len(arrays)
        arrays += struct.pack("<" + fmt * len(values), *values)
        arrays += b"\0" * (len(arrays) % 2)
        return at

    def longs(values):
        return (4, len(values), values[0] if len(values) == 1 else array("I", values))

    bits = (3, c, depth | (depth << 16) if c == 2 else depth) if c <= 2 else (3, c, array("H", [depth] * c))
    cw, ch = claimed_size or (w, h)
    tags = {256: (4, 1, cw), 257: (4, 1, ch), 258: bits, 259: (3, 1, 8 if deflate else 1), 262: (3, 1, photometric),
            277: (3, 1, c), 284: (3, 1, 1)}
    if tile:
        tags.update({322: (3, 1, tile), 323: (3, 1, tile), 324: longs(offsets), 325: longs([len(b) for b in blocks])})
    else:
        tags.update({273: longs(offsets), 278: (4, 1, h), 279: longs([len(blocks[0])])})
    if extra is not None:
        tags[338] = (3, 1, extra)
    ifd_at = arrays_at + len(arrays)
    ifd = struct.pack("<H", len(tags)) + b"".join(struct.pack("<HHII", k, *tags[k]) for k in sorted(tags))
    return b"II*\0" + struct.pack("<I", ifd_at) + b"".join(blocks) + arrays + ifd + struct.pack("<I", 0)


def add_decode(name, data, note):
    write(name, data)
    img = Image.open(io.BytesIO(data))
    mode = img.mode
    rgb = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    gray = np.asarray(Image.open(io.BytesIO(data)).convert("L"))
    write(name + ".rgb.u8", rgb.tobytes())
    write(name + ".gray.u8", gray.tobytes())
    manifest["decode"].append({"file": name, "width": rgb.shape[1], "height": rgb.shape[0], "pilMode": mode,
                               "note": note})


def save(img, fmt, **kw):
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def decode_cases():
    rgb = pattern(40, 30)
    gray = pattern(40, 30, 1)[..., 0]
    alpha = pattern(40, 30, 2)[..., 1]
    im_rgb = Image.fromarray(rgb)
    im_l = Image.fromarray(gray)
    im_rgba = Image.fromarray(np.dstack([rgb, alpha]), "RGBA")
    im_la = Image.fromarray(np.dstack([gray, alpha]), "LA")
    im_p = im_rgb.quantize(37)
    # PNG
    add_decode("gray8.png", save(im_l, "PNG"), "8-bit gray")
    add_decode("gray_alpha8.png", save(im_la, "PNG"), "8-bit gray+alpha")
    add_decode("rgb8.png", save(im_rgb, "PNG"), "8-bit RGB")
    add_decode("rgba8.png", save(im_rgba, "PNG"), "8-bit RGBA")
    add_decode("palette.png", save(im_p, "PNG"), "palette")
    add_decode("palette_trns.png", save(im_p, "PNG", transparency=bytes([0, 128] + [255] * 35)), "palette + tRNS")
    add_decode("gray1.png", save(im_l.convert("1"), "PNG"), "1-bit gray")
    two = (gray >> 6).astype(np.uint8)
    rows2 = [bytes(np.packbits(np.unpackbits(r[:, None], axis=1)[:, 6:].reshape(-1))) for r in two]
    add_decode("gray2.png", raw_png(40, 30, 2, 0, rows2), "2-bit gray")
    g16 = (gray.astype(np.uint16) * 3 + rng.integers(0, 3, gray.shape)).astype(">u2")
    add_decode("gray16.png", raw_png(40, 30, 16, 0, [r.tobytes() for r in g16]), "16-bit gray (PIL mode I, clipped)")
    rgb16 = (rgb.astype(np.uint16) * 257 + rng.integers(0, 200, rgb.shape)).astype(">u2")
    add_decode("rgb16.png", raw_png(40, 30, 16, 2, [r.tobytes() for r in rgb16]), "16-bit RGB")
    rgba16 = np.dstack([rgb16, (alpha.astype(np.uint16) * 257).astype(">u2")])
    add_decode("rgba16.png", raw_png(40, 30, 16, 6, [r.tobytes() for r in rgba16]), "16-bit RGBA")
    la16 = np.dstack([g16 * 50, (alpha.astype(np.uint16) * 257).astype(">u2")]).astype(">u2")
    add_decode("gray_alpha16.png", raw_png(40, 30, 16, 4, [r.tobytes() for r in la16]), "16-bit gray+alpha")
    add_decode("rgb_interlaced.png", raw_png(40, 30, 8, 2, None, interlaced_body=adam7_body(rgb)), "Adam7 interlaced RGB")
    # JPEG
    add_decode("rgb.jpg", save(im_rgb, "JPEG", quality=90), "colour 4:2:0")
    add_decode("rgb444.jpg", save(im_rgb, "JPEG", quality=75, subsampling=0), "colour 4:4:4")
    add_decode("rgb_progressive.jpg", save(im_rgb, "JPEG", quality=85, progressive=True), "progressive")
    add_decode("gray.jpg", save(im_l, "JPEG", quality=90), "gray")
    # TIFF
    for comp in ["raw", "tiff_lzw", "tiff_adobe_deflate"]:
        add_decode(f"rgb_{comp}.tif", save(im_rgb, "TIFF", compression=comp), f"RGB {comp}")
        add_decode(f"gray_{comp}.tif", save(im_l, "TIFF", compression=comp), f"gray {comp}")
        add_decode(f"rgba_{comp}.tif", save(im_rgba, "TIFF", compression=comp), f"RGBA {comp}")
    add_decode("palette.tif", save(im_p, "TIFF"), "palette")
    add_decode("bilevel.tif", save(im_l.convert("1"), "TIFF"), "1-bit")
    # BMP
    add_decode("rgb24.bmp", save(Image.fromarray(rgb[:, :39]), "BMP"), "24-bit, row padding")
    add_decode("palette8.bmp", save(im_p, "BMP"), "8-bit palette")
    add_decode("gray8.bmp", save(im_l, "BMP"), "8-bit gray palette")
    add_decode("bilevel.bmp", save(im_l.convert("1").crop((0, 0, 37, 30)), "BMP"), "1-bit")
    add_decode("rgb32.bmp", raw_bmp32(rgb), "32-bit BGRX bottom-up")
    add_decode("rgb32_topdown.bmp", raw_bmp32(rgb, top_down=True), "32-bit BGRX top-down")


def unsupported_cases():
    """Valid files of variants the toolkit rejects with a clear error (PIL would read them)."""
    pattern(16, 12)  # drawn for a GIF fixture once (GIF is read now): keeps the sequence of the fixtures below
    add_decode("gray16.tif", save(Image.fromarray((pattern(16, 12, 1)[..., 0].astype(np.uint16) * 200)), "TIFF"),
               "16-bit gray (PIL mode I;16, clipped)")
    write("float32.tif", save(Image.fromarray(np.linspace(0, 1, 12 * 16, dtype=np.float32).reshape(12, 16)), "TIFF"))


def resize_crop(img, resize, crop):
    return np.asarray(transforms.Compose([transforms.Resize(resize), transforms.CenterCrop(crop)])(img))


def preprocess_cases():
    cases = [("pre_50x37.png", 50, 37, 40, 32), ("pre_45x61.png", 45, 61, 33, 20),
             ("pre_80x60.png", 80, 60, 256, 224), ("pre_64x64.png", 64, 64, 48, 29),
             ("pre_160x120.png", 160, 120, 30, 24)]  # reduction by 4: the antialiasing matters
    for name, w, h, resize, crop in cases:
        img = Image.fromarray(pattern(w, h))
        write(name, save(img, "PNG"))
        out = resize_crop(img, resize, crop)
        write(name + f".r{resize}c{crop}.u8", out.tobytes())
        entry = {"file": name, "resize": resize, "crop": crop}
        if resize == 40:
            norm = transforms.Compose([transforms.Resize(resize), transforms.CenterCrop(crop), transforms.ToTensor(),
                                       transforms.Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])(img)
            write(name + ".normalized.f32", norm.numpy().astype("<f4").tobytes())
            entry["normalized"] = name + ".normalized.f32"
        entry["expected"] = name + f".r{resize}c{crop}.u8"
        manifest["preprocess"].append(entry)


def mask_cases():
    for name, w, h, resize, crop in [("mask_50x37.png", 50, 37, 40, 32), ("mask_45x61.png", 45, 61, 33, 20)]:
        m = np.zeros((h, w), np.uint8)
        m[5:20, 8:30] = 255
        m[h - 9:h - 2, w - 12:w - 3] = 255
        m[25, 3] = 255  # a lone pixel vanishes when resized
        img = Image.fromarray(m)
        write(name, save(img, "PNG"))
        t = transforms.Compose([transforms.Resize(resize), transforms.CenterCrop(crop), transforms.ToTensor()])(img)
        binary = (t[0] == 1.0).numpy().astype(np.uint8)  # anomalous only where the resized value is 255
        write(name + ".binary.u8", binary.tobytes())
        manifest["masks"].append({"file": name, "resize": resize, "crop": crop, "expected": name + ".binary.u8"})
    # a mask whose size differs from its image (pre_50x37.png)
    write("mask_wrong_size.png", save(Image.fromarray(np.zeros((30, 40), np.uint8)), "PNG"))


def lanczos_cases():
    for name, (w, h), (ow, oh) in [("lz_down", (40, 30), (23, 17)), ("lz_up", (17, 13), (50, 41))]:
        src = pattern(w, h)
        out = np.asarray(Image.fromarray(src).resize((ow, oh), Image.LANCZOS))  # = Image.ANTIALIAS (the release)
        write(name + ".src.u8", src.tobytes())
        write(name + ".out.u8", out.tobytes())
        manifest["lanczos"].append({"name": name, "width": w, "height": h, "outWidth": ow, "outHeight": oh})
        out_bl = np.asarray(Image.fromarray(src).resize((ow, oh), Image.BILINEAR))
        write(name + ".bilinear.u8", out_bl.tobytes())


def cifar_case():
    src = pattern(32, 32)
    img = Image.fromarray(src)
    write("cifar.png", save(img, "PNG"))
    resized = np.asarray(img.resize((112, 112), Image.LANCZOS))  # = Image.ANTIALIAS (the release)
    write("cifar.resized112.u8", resized.tobytes())
    # Padding and normalization are checked in the test against these bytes (a 224x224 float
    # tensor would be 600 kB).
    manifest["cifar"] = {"file": "cifar.png", "resized": "cifar.resized112.u8"}


def layout_cases():
    """BMP and TIFF layouts beyond what PIL writes, crafted byte by byte (own generator, so the
    fixtures above keep their bytes)."""
    local = np.random.default_rng(2308)
    w, h = 37, 29
    rgb = local.integers(0, 256, (h, w, 3)).astype(np.uint8)
    alpha = local.integers(0, 256, (h, w, 1)).astype(np.uint8)
    alpha[0, :6, 0] = [0, 255, 1, 8, 128, 254]
    rgba = np.concatenate([rgb, alpha], -1)
    r5, g5, g6, b5 = (rgb[..., 0] >> 3).astype(np.uint16), (rgb[..., 1] >> 3).astype(np.uint16), \
        (rgb[..., 1] >> 2).astype(np.uint16), (rgb[..., 2] >> 3).astype(np.uint16)
    top_bit = (local.integers(0, 2, (h, w)) << 15).astype(np.uint16)  # ignored by 5-5-5
    rows = lambda a: [r.tobytes() for r in a]
    add_decode("rgb16_555.bmp", raw_bmp(rows((r5 << 10 | g5 << 5 | b5 | top_bit).astype("<u2")), w, 16),
               "16-bit 5-5-5 (top bit set at random)")
    add_decode("rgb16_565.bmp", raw_bmp(rows((r5 << 11 | g6 << 5 | b5).astype("<u2")), w, 16, 3, (0xF800, 0x7E0, 0x1F)),
               "16-bit 5-6-5 bit fields")
    add_decode("rgb16_555_v4.bmp", raw_bmp(rows((r5 << 10 | g5 << 5 | b5).astype("<u2")), w, 16, 3,
                                           (0x7C00, 0x3E0, 0x1F, 0), header_size=108), "16-bit 5-5-5 bit fields, V4 header")
    add_decode("rgb24_bitfields.bmp", raw_bmp(rows(rgb[..., ::-1]), w, 24, 3, (0xFF0000, 0xFF00, 0xFF)), "24-bit bit fields")
    add_decode("bgra32_v5.bmp", raw_bmp(rows(rgba[..., [2, 1, 0, 3]]), w, 32, 3, (0xFF0000, 0xFF00, 0xFF, 0xFF000000),
                                        header_size=124, top_down=True), "32-bit BGRA bit fields, V5 header, top-down")
    add_decode("rgba32_v4.bmp", raw_bmp(rows(rgba), w, 32, 3, (0xFF, 0xFF00, 0xFF0000, 0xFF000000), header_size=108),
               "32-bit RGBA bit fields, V4 header")
    add_decode("xbgr32.bmp", raw_bmp(rows(rgba[..., [3, 2, 1, 0]]), w, 32, 3, (0xFF000000, 0xFF0000, 0xFF00)),
               "32-bit XBGR bit fields")
    add_decode("gray_trns.png", save(Image.fromarray(rgb[..., 0].copy()), "PNG", transparency=77), "8-bit gray + tRNS")
    add_decode("rgb_trns.png", save(Image.fromarray(rgb), "PNG", transparency=(1, 2, 3)), "8-bit RGB + tRNS")
    add_decode("palette4.png", save(Image.fromarray(rgb).quantize(13), "PNG", bits=4), "4-bit palette")
    palette = bytearray(save(Image.fromarray(rgb).quantize(50), "BMP"))
    palette[10:14] = struct.pack("<I", 54)  # PIL skips the palette itself when the offset forgets it
    add_decode("palette8_offset.bmp", bytes(palette), "8-bit palette, pixel offset pointing at the palette")
    add_decode("rgba_assoc.tif", raw_tiff(rgba, 2, extra=1), "RGBA, associated (premultiplied) alpha")
    add_decode("rgb_tiled.tif", raw_tiff(rgb, 2, tile=16), "RGB, 16x16 tiles")
    add_decode("gray_tiled_deflate.tif", raw_tiff(rgb[..., :1].copy(), 1, tile=16, deflate=True), "gray, deflate tiles")
    add_decode("rgba_tiled_deflate.tif", raw_tiff(rgba, 2, extra=2, tile=32, deflate=True), "RGBA, deflate 32x32 tiles")
    cmyk = local.integers(0, 256, (h, w, 4)).astype(np.uint8)  # K varies, so PIL's CMYK -> RGB formula matters
    add_decode("cmyk.jpg", save(Image.fromarray(cmyk, "CMYK"), "JPEG", quality=95), "CMYK (PIL: Adobe-inverted)")
    rgba16 = (rgba.astype(np.uint16) * 257 + local.integers(0, 257, rgba.shape)).astype(np.uint16)
    add_decode("rgb16.tif", raw_tiff(rgba16[..., :3].copy(), 2), "16-bit RGB")
    add_decode("rgba16_tiled.tif", raw_tiff(rgba16, 2, extra=2, tile=16), "16-bit RGBA, 16x16 tiles")
    bomb_jpeg = bytearray(save(Image.fromarray(rgb), "JPEG"))
    sof = bomb_jpeg.index(b"\xff\xc0")
    bomb_jpeg[sof + 5:sof + 9] = struct.pack(">HH", 15000, 15000)  # height, width
    for name, data in [("bomb.png", raw_png(20000, 9000, 8, 0, [b"\0" * 20000])),
                       ("bomb.jpg", bytes(bomb_jpeg)),
                       ("bomb.tif", raw_tiff(rgb, 2, claimed_size=(20000, 9000))),
                       ("bomb.bmp", raw_bmp([b"\0\0\0"], 1, 24)[:18] + struct.pack("<ii", 20000, 9000)
                        + raw_bmp([b"\0\0\0"], 1, 24)[26:])]:
        write(name, data)  # more pixels than PIL opens (2 * MAX_IMAGE_PIXELS); the data is absent
    write("rle8.bmp", raw_bmp([b"\x00\x01"], 4, 8, compression=1))  # end-of-bitmap only; unsupported here
    write("bitfields_10bit.bmp", raw_bmp(rows(rgba), w, 32, 3, (0x3FF00000, 0xFFC00, 0x3FF)))


def ecosystem_cases():
    """JPEG variants, GIF, WebP and the PNG corners where libpng's defaults differ from PIL, for the
    SkiaSharp decoders (own generator, so the fixtures above keep their bytes). Each note says what
    PIL does; the tests expect exactly that."""
    local = np.random.default_rng(2309)
    w, h = 61, 47  # odd sides: chroma upsampling at the right and bottom edges matters
    y, x = np.mgrid[0:h, 0:w]
    smooth = np.stack([128 + 100 * np.sin(x / 7.0), 128 + 100 * np.cos(y / 5.0), (x * 3 + y * 2) % 256], -1)
    rgb = np.clip(smooth + local.integers(-25, 26, (h, w, 3)), 0, 255).astype(np.uint8)
    im = Image.fromarray(rgb)
    # JPEG (PIL decodes with libjpeg-turbo: islow IDCT, fancy upsampling)
    add_decode("q75_420.jpg", save(im, "JPEG", quality=75), "4:2:0, quality 75, odd size")
    add_decode("q95_422.jpg", save(im, "JPEG", quality=95, subsampling=1), "4:2:2, quality 95")
    add_decode("q95_444.jpg", save(im, "JPEG", quality=95, subsampling=0), "4:4:4, quality 95")
    add_decode("progressive_444.jpg", save(im, "JPEG", quality=90, subsampling=0, progressive=True),
               "progressive 4:4:4")
    add_decode("progressive_gray.jpg", save(im.convert("L"), "JPEG", quality=80, progressive=True), "progressive gray")
    add_decode("optimized.jpg", save(im, "JPEG", quality=85, optimize=True), "optimized Huffman tables")
    cmyk = local.integers(0, 256, (h, w, 4)).astype(np.uint8)
    add_decode("cmyk_progressive.jpg", save(Image.fromarray(cmyk, "CMYK"), "JPEG", quality=90, progressive=True),
               "progressive CMYK (PIL: Adobe-inverted, converted with its cmyk2rgb rounding)")
    for orientation in (3, 6):
        exif = Image.Exif()
        exif[0x0112] = orientation
        add_decode(f"exif_orientation{orientation}.jpg", save(im, "JPEG", quality=90, exif=exif.tobytes()),
                   f"EXIF orientation {orientation}: PIL's convert ignores it (only ImageOps.exif_transpose "
                   "applies it), so the pixels come as stored")
    # GIF (PIL 9.4: the first frame, in mode P)
    add_decode("quantized.gif", save(im, "GIF"), "RGB quantized to an adaptive palette, interlaced")
    add_decode("transparent.gif", save(im.quantize(64), "GIF", transparency=5),
               "transparent index 5: PIL's convert('RGB') keeps that entry's palette colour")
    second = Image.fromarray(255 - rgb).quantize(64)
    add_decode("animated.gif", save(im.quantize(64), "GIF", save_all=True, append_images=[second], duration=50),
               "two frames: PIL reads the first")
    add_decode("gray.gif", save(im.convert("L"), "GIF"), "gray palette")
    # WebP (PIL decodes with libwebp, unpremultiplied RGBA; convert drops alpha)
    alpha = local.integers(0, 256, (h, w, 1)).astype(np.uint8)
    alpha[0, :4, 0] = [0, 1, 128, 255]
    rgba = Image.fromarray(np.concatenate([rgb, alpha], -1), "RGBA")
    add_decode("lossless.webp", save(im, "WEBP", lossless=True), "lossless RGB")
    add_decode("lossy.webp", save(im, "WEBP", quality=80), "lossy RGB (YUV 4:2:0)")
    add_decode("lossless_alpha.webp", save(rgba, "WEBP", lossless=True, exact=True), "lossless RGBA, colour under alpha 0 kept")
    add_decode("lossy_alpha.webp", save(rgba, "WEBP", quality=80), "lossy RGBA")
    # PNG corners: libpng (inside Skia) reduces 16-bit gray to its high byte, PIL opens it as mode I
    # and convert clips it to 255; libpng pads a short palette with its last colour, PIL with gray.
    g16 = (rgb[..., 0].astype(np.uint16) * 2 + local.integers(0, 2, (h, w))).astype(np.uint16)
    add_decode("gray16_filtered.png", save(Image.fromarray(g16), "PNG"),
               "16-bit gray with adaptive filters (PIL mode I, clipped to 255)")
    add_decode("gray16_interlaced.png", raw_png(w, h, 16, 0, None, interlaced_body=adam7_body(
        g16.astype(">u2").view(np.uint8).reshape(h, w, 2))), "16-bit gray, Adam7 (PIL mode I, clipped to 255)")
    plain16 = save(Image.fromarray(g16), "PNG")  # PIL cannot write a 16-bit tRNS: added after IHDR
    add_decode("gray16_trns.png", plain16[:33] + png_chunk(b"tRNS", struct.pack(">H", 300)) + plain16[33:],
               "16-bit gray + tRNS (PIL mode I, clipped to 255; convert ignores the transparency)")
    plte = bytes(rgb[0, :5].reshape(-1))  # 5 entries, indices up to 11 used
    idx = local.integers(0, 12, (h, w)).astype(np.uint8)
    short = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 3, 0, 0, 0)) + \
        png_chunk(b"PLTE", plte) + png_chunk(b"IDAT", zlib.compress(b"".join(b"\x00" + r.tobytes() for r in idx))) + \
        png_chunk(b"IEND", b"")
    add_decode("palette_short.png", short, "indices past the 5-entry PLTE: PIL reads entry i as gray (i, i, i)")
    # More pixels than PIL opens; the data is absent.
    gif_bomb = bytearray(save(im, "GIF"))
    gif_bomb[6:10] = struct.pack("<HH", 20000, 9000)  # the logical screen
    webp_bomb = bytearray(save(im, "WEBP", lossless=True))
    assert webp_bomb[12:16] == b"VP8L"
    bits = struct.unpack("<I", webp_bomb[21:25])[0] & ~((1 << 28) - 1)
    webp_bomb[21:25] = struct.pack("<I", bits | (16383 << 14) | 16383)  # 16384 x 16384
    for name, data in [("bomb.gif", bytes(gif_bomb)), ("bomb.webp", bytes(webp_bomb))]:
        try:
            Image.open(io.BytesIO(data)).convert("RGB")
            raise AssertionError(name + " opens in PIL")
        except Image.DecompressionBombError:
            write(name, data)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    decode_cases()
    unsupported_cases()
    preprocess_cases()
    mask_cases()
    lanczos_cases()
    cifar_case()
    layout_cases()
    ecosystem_cases()
    manifest["versions"] = {"PIL": Image.__version__, "torchvision": torchvision.__version__, "torch": torch.__version__}
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)

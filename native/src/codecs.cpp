// Image codecs over libpng, libjpeg and libtiff: decode an in-memory file to 8-bit gray (1 channel)
// or RGB (3 channels) with PIL's Image.open semantics, and encode 8-bit gray/RGB to PNG bytes.
// The managed side reads and writes the files (so it names them in errors and writes atomically);
// these exports only see bytes. libpng and libjpeg report fatal errors through callbacks that must
// not return: they longjmp back into the C function that called setjmp, which only holds plain C
// state, and the message is rethrown as a C++ exception outside that function.
#include "bridge.h"

#include <png.h>
#include <jpeglib.h>
#include <jerror.h>
#include <tiffio.h>

#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

namespace ufm {
namespace {

enum Format { kPng = 1, kJpeg = 2, kTiff = 3 };

// A decoded image handed to the managed side; pixels come from malloc (freed by ufm_image_free).
struct Decoded {
  uint8_t* pixels = nullptr;
  int width = 0, height = 0, channels = 0;
};

// Plain-C error context shared with the longjmp-ing callbacks.
struct JumpContext {
  jmp_buf jump;
  char message[JMSG_LENGTH_MAX + 256];
};

// PIL refuses to open images above twice Image.MAX_IMAGE_PIXELS (DecompressionBombError); so do
// we, which also keeps a corrupt header from requesting gigabytes before the data runs out.
constexpr unsigned long long kMaxPixels = 2ull * 89478485ull;
constexpr const char* kTooManyPixels = "image exceeds PIL's limit of 178956970 pixels (decompression bomb)";

bool too_many_pixels(unsigned long long width, unsigned long long height) { return width * height > kMaxPixels; }

void check_size(int width, int height) {
  if (width <= 0 || height <= 0 || width > 1 << 16 || height > 1 << 16)
    throw std::runtime_error("invalid image size " + std::to_string(width) + "x" + std::to_string(height));
}

uint8_t* allocate(size_t bytes) {
  auto* p = static_cast<uint8_t*>(std::malloc(bytes ? bytes : 1));
  if (!p) throw std::bad_alloc();
  return p;
}

// ---- PNG ------------------------------------------------------------------------------------

struct PngSource {
  const uint8_t* data;
  size_t size, offset;
  JumpContext ctx;
};

void png_error_fn(png_structp png, png_const_charp message) {
  auto* src = static_cast<PngSource*>(png_get_error_ptr(png));
  std::snprintf(src->ctx.message, sizeof src->ctx.message, "%s", message);
  std::longjmp(src->ctx.jump, 1);
}

void png_warning_fn(png_structp, png_const_charp) {}

void png_read_fn(png_structp png, png_bytep out, png_size_t length) {
  auto* src = static_cast<PngSource*>(png_get_io_ptr(png));
  if (length > src->size - src->offset) png_error(png, "truncated file (unexpected end of data)");
  std::memcpy(out, src->data + src->offset, length);
  src->offset += length;
}

// Raw PNG samples as stored (sub-byte samples unpacked to one byte each, 16-bit kept big-endian).
struct PngRaw {
  uint8_t* rows = nullptr;
  size_t row_bytes = 0;
  png_uint_32 width = 0, height = 0;
  int bit_depth = 0, color_type = 0;
  png_colorp palette = nullptr;
  int palette_size = 0;
  png_color palette_copy[256];
};

// Returns 0 or 1 (error, message in src->ctx). Holds only C state between setjmp and longjmp.
int png_read_raw(PngSource* src, PngRaw* raw) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, src, png_error_fn, png_warning_fn);
  if (!png) {
    std::snprintf(src->ctx.message, sizeof src->ctx.message, "cannot create PNG reader");
    return 1;
  }
  png_infop info = png_create_info_struct(png);
  uint8_t* volatile rows = nullptr;
  png_bytep* volatile row_pointers = nullptr;
  if (setjmp(src->ctx.jump)) {
    std::free(rows);
    std::free(row_pointers);
    png_destroy_read_struct(&png, &info, nullptr);
    return 1;
  }
  if (!info) png_error(png, "cannot create PNG info");
  png_set_read_fn(png, src, png_read_fn);
  png_set_user_limits(png, 1 << 16, 1 << 16);
  png_read_info(png, info);
  raw->width = png_get_image_width(png, info);
  raw->height = png_get_image_height(png, info);
  raw->bit_depth = png_get_bit_depth(png, info);
  raw->color_type = png_get_color_type(png, info);
  if (too_many_pixels(raw->width, raw->height)) png_error(png, kTooManyPixels);
  if (raw->bit_depth < 8) png_set_packing(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (raw->color_type == PNG_COLOR_TYPE_PALETTE) {
    png_colorp palette = nullptr;
    int count = 0;
    if (!png_get_PLTE(png, info, &palette, &count)) png_error(png, "palette image without PLTE chunk");
    raw->palette_size = count > 256 ? 256 : count;
    std::memcpy(raw->palette_copy, palette, sizeof(png_color) * raw->palette_size);
  }
  raw->row_bytes = png_get_rowbytes(png, info);
  rows = static_cast<uint8_t*>(std::malloc(raw->row_bytes * raw->height));
  row_pointers = static_cast<png_bytep*>(std::malloc(sizeof(png_bytep) * raw->height));
  if (!rows || !row_pointers) png_error(png, "out of memory");
  for (png_uint_32 y = 0; y < raw->height; ++y) row_pointers[y] = rows + y * raw->row_bytes;
  png_read_image(png, row_pointers);
  std::free(row_pointers);
  png_destroy_read_struct(&png, &info, nullptr);
  raw->rows = rows;
  return 0;
}

// PIL's conversions: sub-8-bit gray scaled to 0..255; 16-bit gray opens as mode "I" and is clipped
// to 255 by convert; other 16-bit modes keep the high byte; alpha is dropped; palette indices look
// up PLTE (missing entries are black), ignoring tRNS.
Decoded png_to_pixels(const PngRaw& raw) {
  Decoded out;
  out.width = static_cast<int>(raw.width);
  out.height = static_cast<int>(raw.height);
  const int ct = raw.color_type, depth = raw.bit_depth;
  const bool gray = ct == PNG_COLOR_TYPE_GRAY || ct == PNG_COLOR_TYPE_GRAY_ALPHA;
  out.channels = gray ? 1 : 3;
  const int samples = ct == PNG_COLOR_TYPE_GRAY ? 1 : ct == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
                    : ct == PNG_COLOR_TYPE_RGB ? 3 : ct == PNG_COLOR_TYPE_RGB_ALPHA ? 4 : 1;
  const int sample_bytes = depth == 16 ? 2 : 1;
  const int gray_scale = depth == 1 ? 255 : depth == 2 ? 85 : depth == 4 ? 17 : 1;
  out.pixels = allocate(static_cast<size_t>(out.width) * out.height * out.channels);
  for (int y = 0; y < out.height; ++y) {
    const uint8_t* row = raw.rows + y * raw.row_bytes;
    uint8_t* dst = out.pixels + static_cast<size_t>(y) * out.width * out.channels;
    for (int x = 0; x < out.width; ++x) {
      const uint8_t* px = row + static_cast<size_t>(x) * samples * sample_bytes;
      if (ct == PNG_COLOR_TYPE_PALETTE) {
        const int index = px[0];
        const bool known = index < raw.palette_size;
        dst[3 * x] = known ? raw.palette_copy[index].red : 0;
        dst[3 * x + 1] = known ? raw.palette_copy[index].green : 0;
        dst[3 * x + 2] = known ? raw.palette_copy[index].blue : 0;
      } else if (gray) {
        if (depth == 16 && ct == PNG_COLOR_TYPE_GRAY) {
          const int value = (px[0] << 8) | px[1];
          dst[x] = static_cast<uint8_t>(value > 255 ? 255 : value);
        } else {
          dst[x] = static_cast<uint8_t>(px[0] * gray_scale);
        }
      } else {
        for (int c = 0; c < 3; ++c) dst[3 * x + c] = px[c * sample_bytes];
      }
    }
  }
  return out;
}

Decoded decode_png(const uint8_t* data, size_t size) {
  PngSource src{data, size, 0, {}};
  PngRaw raw;
  if (png_read_raw(&src, &raw)) throw std::runtime_error(std::string("PNG: ") + src.ctx.message);
  try {
    Decoded out = png_to_pixels(raw);
    std::free(raw.rows);
    return out;
  } catch (...) {
    std::free(raw.rows);
    throw;
  }
}

// ---- JPEG -----------------------------------------------------------------------------------

struct JpegError {
  jpeg_error_mgr base;
  JumpContext ctx;
};

void jpeg_error_exit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  char text[JMSG_LENGTH_MAX];
  cinfo->err->format_message(cinfo, text);
  std::snprintf(err->ctx.message, sizeof err->ctx.message, "%s", text);
  std::longjmp(err->ctx.jump, 1);
}

// Like PIL, corrupt-data warnings are ignored, but running out of data is an error ("image file
// is truncated") instead of libjpeg's gray fill.
void jpeg_emit_message(j_common_ptr cinfo, int level) {
  if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
    auto* err = reinterpret_cast<JpegError*>(cinfo->err);
    std::snprintf(err->ctx.message, sizeof err->ctx.message, "truncated file (premature end of data)");
    std::longjmp(err->ctx.jump, 1);
  }
}

// PIL reads every 4-component JPEG as Adobe-inverted CMYK ("CMYK;I": the stored values are
// 255 - C, M, Y, K) and converts to RGB as (255 - K) - (255 - K) * C / 255 with its MULDIV255
// rounding (Convert.c cmyk2rgb). In place: pixel i moves from byte 4i to byte 3i.
void cmyk_to_rgb(uint8_t* pixels, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* in = pixels + 4 * i;
    const int nk = in[3];
    uint8_t rgb[3];
    for (int c = 0; c < 3; ++c) {
      const int product = (255 - in[c]) * nk + 128;
      rgb[c] = static_cast<uint8_t>(nk - (((product >> 8) + product) >> 8));
    }
    std::memcpy(pixels + 3 * i, rgb, 3);
  }
}

int jpeg_decode_c(const uint8_t* data, size_t size, JpegError* err, Decoded* out) {
  jpeg_decompress_struct cinfo;
  uint8_t* volatile pixels = nullptr;
  cinfo.err = jpeg_std_error(&err->base);
  err->base.error_exit = jpeg_error_exit;
  err->base.emit_message = jpeg_emit_message;
  if (setjmp(err->ctx.jump)) {
    std::free(pixels);
    jpeg_destroy_decompress(&cinfo);
    return 1;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.jpeg_color_space == JCS_GRAYSCALE) {
    cinfo.out_color_space = JCS_GRAYSCALE;
  } else if (cinfo.jpeg_color_space == JCS_YCbCr || cinfo.jpeg_color_space == JCS_RGB) {
    cinfo.out_color_space = JCS_RGB;
  } else if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
    cinfo.out_color_space = JCS_CMYK;
  } else {
    std::snprintf(err->ctx.message, sizeof err->ctx.message, "unsupported JPEG colour space %d",
                  static_cast<int>(cinfo.jpeg_color_space));
    jpeg_destroy_decompress(&cinfo);
    return 1;
  }
  // Before start_decompress: a progressive image allocates its whole coefficient buffer there.
  if (too_many_pixels(cinfo.image_width, cinfo.image_height)) {
    std::snprintf(err->ctx.message, sizeof err->ctx.message, "%s", kTooManyPixels);
    jpeg_destroy_decompress(&cinfo);
    return 1;
  }
  jpeg_start_decompress(&cinfo);
  const size_t stride = static_cast<size_t>(cinfo.output_width) * cinfo.output_components;
  pixels = static_cast<uint8_t*>(std::malloc(stride * cinfo.output_height));
  if (!pixels) {
    std::snprintf(err->ctx.message, sizeof err->ctx.message, "out of memory");
    jpeg_destroy_decompress(&cinfo);
    return 1;
  }
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = pixels + stride * cinfo.output_scanline;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  out->width = static_cast<int>(cinfo.output_width);
  out->height = static_cast<int>(cinfo.output_height);
  out->channels = cinfo.output_components;
  if (cinfo.out_color_space == JCS_CMYK) {
    cmyk_to_rgb(pixels, static_cast<size_t>(out->width) * out->height);
    out->channels = 3;
  }
  out->pixels = pixels;
  // The pixels are complete; trailing-marker problems do not matter (PIL stops here too).
  jpeg_destroy_decompress(&cinfo);
  return 0;
}

Decoded decode_jpeg(const uint8_t* data, size_t size) {
  JpegError err{};
  Decoded out;
  if (jpeg_decode_c(data, size, &err, &out)) throw std::runtime_error(std::string("JPEG: ") + err.ctx.message);
  return out;
}

// ---- TIFF -----------------------------------------------------------------------------------

struct TiffSource {
  const uint8_t* data;
  toff_t size, offset;
};

thread_local std::string g_tiff_error;

void tiff_error_handler(const char* module, const char* format, va_list args) {
  char text[512];
  std::vsnprintf(text, sizeof text, format, args);
  if (g_tiff_error.empty()) g_tiff_error = text;
}

tsize_t tiff_read(thandle_t h, tdata_t buffer, tsize_t length) {
  auto* src = static_cast<TiffSource*>(h);
  toff_t available = src->offset < src->size ? src->size - src->offset : 0;
  toff_t n = static_cast<toff_t>(length) < available ? static_cast<toff_t>(length) : available;
  std::memcpy(buffer, src->data + src->offset, n);
  src->offset += n;
  return static_cast<tsize_t>(n);
}
tsize_t tiff_write(thandle_t, tdata_t, tsize_t) { return -1; }
toff_t tiff_seek(thandle_t h, toff_t offset, int whence) {
  auto* src = static_cast<TiffSource*>(h);
  toff_t base = whence == SEEK_CUR ? src->offset : whence == SEEK_END ? src->size : 0;
  src->offset = base + offset;
  return src->offset;
}
int tiff_close(thandle_t) { return 0; }
toff_t tiff_size(thandle_t h) { return static_cast<TiffSource*>(h)->size; }
int tiff_map(thandle_t, tdata_t*, toff_t*) { return 0; }
void tiff_unmap(thandle_t, tdata_t, toff_t) {}

struct TiffCloser {
  TIFF* tif;
  ~TiffCloser() { if (tif) TIFFClose(tif); }
};

[[noreturn]] void tiff_fail(const std::string& what) {
  std::string detail = g_tiff_error.empty() ? what : what + " (" + g_tiff_error + ")";
  throw std::runtime_error("TIFF: " + detail);
}

// One decoded scanline of an 8-bit (16-bit, bilevel) contiguous TIFF into gray or RGB, as PIL converts:
// MINISWHITE inverted, bilevel to 0/255, extra samples (alpha) dropped, palette via the colormap's
// high bytes. Associated (premultiplied) alpha is divided out first, as PIL's "RGBa" unpacker does:
// min(255, v * 255 / a) in integers, and black where a is 0.
void tiff_convert_row(const uint8_t* src, uint8_t* dst, int width, int samples, int bits, int photometric,
                      bool premultiplied, const uint16_t* const* colormap) {
  for (int x = 0; x < width; ++x) {
    if (bits == 1) {
      int bit = (src[x >> 3] >> (7 - (x & 7))) & 1;
      uint8_t v = bit ? 255 : 0;
      dst[x] = photometric == PHOTOMETRIC_MINISWHITE ? static_cast<uint8_t>(255 - v) : v;
    } else if (bits == 16) {
      // Host-order samples. PIL opens 16-bit gray as mode I;16 and convert clips it to 255;
      // 16-bit RGB(A) unpacks to the high byte of each sample.
      uint16_t v[3];
      std::memcpy(v, src + 2 * x * samples, sizeof(uint16_t) * (photometric == PHOTOMETRIC_RGB ? 3 : 1));
      if (photometric == PHOTOMETRIC_RGB)
        for (int c = 0; c < 3; ++c) dst[3 * x + c] = static_cast<uint8_t>(v[c] >> 8);
      else
        dst[x] = static_cast<uint8_t>(v[0] > 255 ? 255 : v[0]);
    } else if (photometric == PHOTOMETRIC_PALETTE) {
      int index = src[x];
      for (int c = 0; c < 3; ++c) dst[3 * x + c] = static_cast<uint8_t>(colormap[c][index] >> 8);
    } else if (photometric == PHOTOMETRIC_RGB && premultiplied) {
      const uint8_t* px = src + x * samples;
      const int alpha = px[3];
      for (int c = 0; c < 3; ++c) {
        const int v = alpha == 0 ? 0 : alpha == 255 ? px[c] : px[c] * 255 / alpha;
        dst[3 * x + c] = static_cast<uint8_t>(v > 255 ? 255 : v);
      }
    } else if (photometric == PHOTOMETRIC_RGB) {
      for (int c = 0; c < 3; ++c) dst[3 * x + c] = src[x * samples + c];
    } else {
      uint8_t v = src[x * samples];
      dst[x] = photometric == PHOTOMETRIC_MINISWHITE ? static_cast<uint8_t>(255 - v) : v;
    }
  }
}

// The stored samples of every row, scanline layout (TIFFScanlineSize bytes per row), from strips
// or from tiles (tiles past the right and bottom edges are clipped).
std::vector<uint8_t> tiff_read_rows(TIFF* tif, uint32_t width, uint32_t height, int pixel_bits) {
  const size_t stride = static_cast<size_t>(TIFFScanlineSize(tif));
  if (stride < (static_cast<size_t>(width) * pixel_bits + 7) / 8) tiff_fail("invalid row size");
  std::vector<uint8_t> rows(stride * height);
  if (!TIFFIsTiled(tif)) {
    for (uint32_t y = 0; y < height; ++y)
      if (TIFFReadScanline(tif, rows.data() + stride * y, y, 0) < 0) tiff_fail("cannot read row " + std::to_string(y));
    return rows;
  }
  uint32_t tile_width = 0, tile_height = 0;
  if (!TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tile_width) || !TIFFGetField(tif, TIFFTAG_TILELENGTH, &tile_height) ||
      tile_width == 0 || tile_height == 0 || tile_width % 8 != 0)
    tiff_fail("invalid tile size");
  const size_t tile_stride = static_cast<size_t>(TIFFTileRowSize(tif));
  std::vector<uint8_t> tile(static_cast<size_t>(TIFFTileSize(tif)));
  if (tile_stride < (static_cast<size_t>(tile_width) * pixel_bits + 7) / 8 || tile.size() < tile_stride * tile_height)
    tiff_fail("invalid tile size");
  for (uint32_t ty = 0; ty < height; ty += tile_height)
    for (uint32_t tx = 0; tx < width; tx += tile_width) {
      if (TIFFReadTile(tif, tile.data(), tx, ty, 0, 0) < 0)
        tiff_fail("cannot read tile at " + std::to_string(tx) + "," + std::to_string(ty));
      // Tile widths are multiples of 16 pixels, so a tile's first sample starts on a byte.
      const uint32_t columns = std::min(tile_width, width - tx), lines = std::min(tile_height, height - ty);
      const size_t offset = static_cast<size_t>(tx) * pixel_bits / 8;
      const size_t bytes = (static_cast<size_t>(columns) * pixel_bits + 7) / 8;
      for (uint32_t r = 0; r < lines; ++r)
        std::memcpy(rows.data() + stride * (ty + r) + offset, tile.data() + tile_stride * r, bytes);
    }
  return rows;
}

Decoded decode_tiff(const uint8_t* data, size_t size) {
  g_tiff_error.clear();
  TIFFSetErrorHandler(tiff_error_handler);
  TIFFSetWarningHandler(nullptr);
  TiffSource src{data, static_cast<toff_t>(size), 0};
  TiffCloser closer{TIFFClientOpen("memory", "rm", &src, tiff_read, tiff_write, tiff_seek, tiff_close, tiff_size,
                                   tiff_map, tiff_unmap)};
  TIFF* tif = closer.tif;
  if (!tif) tiff_fail("cannot read header");
  uint32_t width = 0, height = 0;
  uint16_t bits = 1, samples = 1, photometric = 0, planar = PLANARCONFIG_CONTIG;
  if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height))
    tiff_fail("missing image size");
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
  if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photometric)) tiff_fail("missing photometric interpretation");
  check_size(static_cast<int>(width), static_cast<int>(height));
  if (too_many_pixels(width, height)) tiff_fail(kTooManyPixels);
  const bool gray = photometric == PHOTOMETRIC_MINISBLACK || photometric == PHOTOMETRIC_MINISWHITE;
  uint16_t sample_format = SAMPLEFORMAT_UINT, extra_count = 0;
  uint16_t* extra_types = nullptr;
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &sample_format);
  const bool premultiplied = photometric == PHOTOMETRIC_RGB && samples == 4 &&
                             TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &extra_count, &extra_types) &&
                             extra_count >= 1 && extra_types[0] == EXTRASAMPLE_ASSOCALPHA;
  const bool rgb = photometric == PHOTOMETRIC_RGB && (samples == 3 || samples == 4);
  const bool supported = planar == PLANARCONFIG_CONTIG && sample_format == SAMPLEFORMAT_UINT &&
                         ((gray && bits == 1 && samples == 1) || (gray && bits == 8 && samples <= 2) ||
                          (photometric == PHOTOMETRIC_MINISBLACK && bits == 16 && samples == 1) ||
                          (rgb && bits == 8) || (rgb && bits == 16 && !premultiplied) ||
                          (photometric == PHOTOMETRIC_PALETTE && bits == 8 && samples == 1));
  if (!supported)
    throw std::runtime_error("TIFF: unsupported layout (photometric " + std::to_string(photometric) + ", " +
                             std::to_string(samples) + " samples of " + std::to_string(bits) + " bits, format " +
                             std::to_string(sample_format) + ", planar " + std::to_string(planar) +
                             (premultiplied ? ", premultiplied" : "") +
                             "); supported: unsigned 8-bit gray/RGB/RGBA/palette, 16-bit gray/RGB/RGBA "
                             "and bilevel, strips or tiles");
  uint16_t* colormap[3] = {nullptr, nullptr, nullptr};
  if (photometric == PHOTOMETRIC_PALETTE &&
      !TIFFGetField(tif, TIFFTAG_COLORMAP, &colormap[0], &colormap[1], &colormap[2]))
    tiff_fail("palette image without colormap");
  Decoded out;
  out.width = static_cast<int>(width);
  out.height = static_cast<int>(height);
  out.channels = gray ? 1 : 3;
  const std::vector<uint8_t> rows = tiff_read_rows(tif, width, height, bits * samples);
  const size_t stride = static_cast<size_t>(TIFFScanlineSize(tif));
  std::unique_ptr<uint8_t, decltype(&std::free)> pixels(
      allocate(static_cast<size_t>(width) * height * out.channels), &std::free);
  for (uint32_t y = 0; y < height; ++y)
    tiff_convert_row(rows.data() + stride * y, pixels.get() + static_cast<size_t>(y) * width * out.channels,
                     out.width, samples, bits, photometric, premultiplied, colormap);
  out.pixels = pixels.release();
  return out;
}

// ---- PNG encoding ---------------------------------------------------------------------------

struct PngSink {
  uint8_t* bytes;
  size_t size, capacity;
  JumpContext ctx;
};

void png_sink_error(png_structp png, png_const_charp message) {
  auto* sink = static_cast<PngSink*>(png_get_error_ptr(png));
  std::snprintf(sink->ctx.message, sizeof sink->ctx.message, "%s", message);
  std::longjmp(sink->ctx.jump, 1);
}

void png_sink_write(png_structp png, png_bytep data, png_size_t length) {
  auto* sink = static_cast<PngSink*>(png_get_io_ptr(png));
  if (sink->size + length > sink->capacity) {
    size_t capacity = (sink->size + length) * 2;
    auto* grown = static_cast<uint8_t*>(std::realloc(sink->bytes, capacity));
    if (!grown) png_error(png, "out of memory");
    sink->bytes = grown;
    sink->capacity = capacity;
  }
  std::memcpy(sink->bytes + sink->size, data, length);
  sink->size += length;
}

void png_sink_flush(png_structp) {}

int png_encode_c(const uint8_t* pixels, int width, int height, int channels, PngSink* sink) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, sink, png_sink_error, png_warning_fn);
  if (!png) {
    std::snprintf(sink->ctx.message, sizeof sink->ctx.message, "cannot create PNG writer");
    return 1;
  }
  png_infop info = png_create_info_struct(png);
  if (setjmp(sink->ctx.jump)) {
    png_destroy_write_struct(&png, &info);
    return 1;
  }
  if (!info) png_error(png, "cannot create PNG info");
  png_set_write_fn(png, sink, png_sink_write, png_sink_flush);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), 8,
               channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  const size_t stride = static_cast<size_t>(width) * channels;
  for (int y = 0; y < height; ++y) png_write_row(png, pixels + stride * y);
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  return 0;
}

}  // namespace
}  // namespace ufm

// Decodes an in-memory PNG (format 1), JPEG (2) or TIFF (3) file. On success *pixels holds
// height*width*channels bytes (HWC, channels 1 = gray, 3 = RGB), to be released by ufm_image_free.
UFM_EXPORT int ufm_image_decode(const uint8_t* data, int64_t size, int format, uint8_t** pixels, int* width,
                                int* height, int* channels) {
  UFM_STATUS({
    if (!data || size <= 0) throw std::runtime_error("empty file");
    const auto n = static_cast<size_t>(size);
    ufm::Decoded d = format == ufm::kPng    ? ufm::decode_png(data, n)
                     : format == ufm::kJpeg ? ufm::decode_jpeg(data, n)
                     : format == ufm::kTiff ? ufm::decode_tiff(data, n)
                                            : throw std::runtime_error("unknown format code " + std::to_string(format));
    *pixels = d.pixels;
    *width = d.width;
    *height = d.height;
    *channels = d.channels;
  })
}

UFM_EXPORT void ufm_image_free(uint8_t* pixels) { std::free(pixels); }

// 1 here; 0 in the build without codecs (no_codecs/codecs_unavailable.cpp), for `uniformaly info`.
UFM_EXPORT int ufm_image_codecs_available() { return 1; }

// Encodes 8-bit gray (channels 1) or RGB (3) HWC pixels as PNG; *png (size *length) is released by
// ufm_image_free.
UFM_EXPORT int ufm_png_encode(const uint8_t* pixels, int width, int height, int channels, uint8_t** png,
                              int64_t* length) {
  UFM_STATUS({
    if (channels != 1 && channels != 3) throw std::runtime_error("PNG writer takes 1 or 3 channels");
    ufm::check_size(width, height);
    ufm::PngSink sink{nullptr, 0, 0, {}};
    if (ufm::png_encode_c(pixels, width, height, channels, &sink)) {
      std::free(sink.bytes);
      throw std::runtime_error(std::string("PNG: ") + sink.ctx.message);
    }
    *png = sink.bytes;
    *length = static_cast<int64_t>(sink.size);
  })
}

// Stand-ins for codecs.cpp's exports in a build without libpng, libjpeg and libtiff
// (UFM_WITH_CODECS=OFF, or the libraries were not found). The exports exist, so the managed side
// binds them as usual, and every decode or encode fails through the error slot: the caller gets an
// ImageException naming the file instead of an EntryPointNotFoundException or a crash.
#include "../bridge.h"

#include <cstdlib>
#include <stdexcept>

namespace {
constexpr const char* kNoCodecs =
    "this build has no PNG/JPEG/TIFF codecs; rebuild native/ with libpng, libjpeg and libtiff "
    "(libpng-dev, libjpeg-dev, libtiff-dev)";
}

UFM_EXPORT int ufm_image_codecs_available() { return 0; }

UFM_EXPORT int ufm_image_decode(const uint8_t* data, int64_t size, int format, uint8_t** pixels, int* width,
                                int* height, int* channels) {
  UFM_STATUS({ throw std::runtime_error(kNoCodecs); })
}

// Never handed a buffer by this build; kept so the ABI is the same in both builds.
UFM_EXPORT void ufm_image_free(uint8_t* pixels) { std::free(pixels); }

UFM_EXPORT int ufm_png_encode(const uint8_t* pixels, int width, int height, int channels, uint8_t** png,
                              int64_t* length) {
  UFM_STATUS({ throw std::runtime_error(kNoCodecs); })
}

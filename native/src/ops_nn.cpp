// Neural-network functionals: convolution, normalization, activations, pooling,
// resampling and padding.
#include "bridge.h"

using ufm::Handle;

UFM_EXPORT Handle ufm_conv2d(Handle x, Handle w, Handle b, const int64_t* stride,
                             const int64_t* padding, const int64_t* dilation, int64_t groups) {
  UFM_TENSOR(at::conv2d(*x, *w, ufm::opt(b), ufm::dims(stride, 2), ufm::dims(padding, 2),
                        ufm::dims(dilation, 2), groups))
}

UFM_EXPORT Handle ufm_layer_norm(Handle x, const int64_t* shape, int n, Handle w, Handle b,
                                 double eps) {
  UFM_TENSOR(at::layer_norm(*x, ufm::dims(shape, n), ufm::opt(w), ufm::opt(b), eps))
}

// approximate: 0 = exact (erf), 1 = tanh.
UFM_EXPORT Handle ufm_gelu(Handle x, int approximate) {
  UFM_TENSOR(at::gelu(*x, approximate ? "tanh" : "none"))
}
UFM_EXPORT Handle ufm_softmax(Handle x, int64_t dim) { UFM_TENSOR(at::softmax(*x, dim)) }
UFM_EXPORT Handle ufm_log_softmax(Handle x, int64_t dim) { UFM_TENSOR(at::log_softmax(*x, dim)) }

UFM_EXPORT Handle ufm_avg_pool2d(Handle x, const int64_t* kernel, const int64_t* stride,
                                 const int64_t* padding, int ceil_mode, int count_include_pad) {
  UFM_TENSOR(at::avg_pool2d(*x, ufm::dims(kernel, 2), ufm::dims(stride, 2), ufm::dims(padding, 2),
                            ceil_mode != 0, count_include_pad != 0, c10::nullopt))
}

// mode: 0 nearest, 1 bilinear, 2 bicubic. The scales (NaN = not given) are what
// F.interpolate(scale_factor=...) forwards to the kernels: they set the coordinate mapping.
UFM_EXPORT Handle ufm_interpolate(Handle x, int64_t out_h, int64_t out_w, int mode,
                                  int align_corners, int antialias, double scale_h,
                                  double scale_w) {
  UFM_GUARDED(nullptr, {
    const int64_t size[2] = {out_h, out_w};
    const at::IntArrayRef out(size, 2);
    const bool ac = align_corners != 0;
    const auto sh = ufm::opt(scale_h), sw = ufm::opt(scale_w);
    switch (mode) {
      case 0:
        TORCH_CHECK(!antialias, "interpolate: antialias needs bilinear or bicubic");
        return ufm::wrap(at::upsample_nearest2d(*x, out, sh, sw));
      case 1:
        return ufm::wrap(antialias ? at::_upsample_bilinear2d_aa(*x, out, ac, sh, sw)
                                   : at::upsample_bilinear2d(*x, out, ac, sh, sw));
      case 2:
        return ufm::wrap(antialias ? at::_upsample_bicubic2d_aa(*x, out, ac, sh, sw)
                                   : at::upsample_bicubic2d(*x, out, ac, sh, sw));
      default:
        TORCH_CHECK(false, "interpolate: unknown mode ", mode);
    }
  })
}

// mode: 0 constant (value), 1 reflect, 2 replicate. pads as in F.pad: last dim first.
UFM_EXPORT Handle ufm_pad(Handle x, const int64_t* pads, int n, int mode, double value) {
  UFM_GUARDED(nullptr, {
    const auto p = ufm::dims(pads, n);
    switch (mode) {
      case 0: return ufm::wrap(at::constant_pad_nd(*x, p, value));
      case 1:
        TORCH_CHECK(n == 2 || n == 4, "pad: reflect takes 2 or 4 pads, got ", n);
        return ufm::wrap(n == 2 ? at::reflection_pad1d(*x, p) : at::reflection_pad2d(*x, p));
      case 2:
        TORCH_CHECK(n == 2 || n == 4, "pad: replicate takes 2 or 4 pads, got ", n);
        return ufm::wrap(n == 2 ? at::replication_pad1d(*x, p) : at::replication_pad2d(*x, p));
      default:
        TORCH_CHECK(false, "pad: unknown mode ", mode);
    }
  })
}

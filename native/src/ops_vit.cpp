// The ViT's hot operations: linear layers (with the GELU or the residual add that follows them)
// and the multi-head attention core. On the CPU they run on oneDNN's GEMMs where libtorch loaded
// oneDNN (its AVX-512 kernels reach about twice the rate of OpenBLAS's AVX2 ones on CPUs OpenBLAS
// has no kernels for): sgemm for float32 weights, the bf16 GEMM with float32 sums for the
// backbone's optional bfloat16 weights. The bias, residual and head split are folded into the
// GEMMs' operands instead of extra passes and copies. Elsewhere (CUDA, autograd, no oneDNN, or
// switched off) the same math runs in ATen ops; the two agree to float32 rounding.
#include "bridge.h"

#include <atomic>
#include <vector>

using ufm::Handle;

namespace {

std::atomic<bool> g_onednn_enabled{true};

// Whether the oneDNN path may run on these tensors: switched on, autograd off, CPU tensors that
// need no gradient.
bool onednn_applies(std::initializer_list<const at::Tensor*> tensors) {
  if (!g_onednn_enabled.load(std::memory_order_relaxed) || ufm::grad_enabled()) return false;
  for (const at::Tensor* t : tensors) {
    if (t && t->defined() && (!t->device().is_cpu() || t->requires_grad())) return false;
  }
  return true;
}

bool all_float(std::initializer_list<const at::Tensor*> tensors) {
  for (const at::Tensor* t : tensors) {
    if (t && t->defined() && t->scalar_type() != at::kFloat) return false;
  }
  return true;
}

void check_gemm(int status) { TORCH_CHECK(status == 0, "oneDNN GEMM failed with status ", status); }

// x [..., K] w^T + bias (+ residual) for w [N, K], as nn.Linear (and x + nn.Linear): the bias, or
// residual + bias, is written to the output first and the GEMM accumulates onto it (beta = 1), the
// way addmm applies a bias. A bfloat16 w (the backbone's bf16 mode) takes x rounded to bfloat16 and
// oneDNN's bf16 GEMM, whose products and sums are float32. nullopt when the fast path does not
// apply (the caller then uses ATen).
c10::optional<at::Tensor> fast_linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor* b,
                                      const at::Tensor* residual) {
  const bool bf16 = w.scalar_type() == at::kBFloat16;
  if (!onednn_applies({&x, &w, b, residual}) || !all_float({&x, b, residual}) ||
      !(bf16 || w.scalar_type() == at::kFloat) ||
      !(bf16 ? ufm::onednn_gemm_bf16() != nullptr : ufm::onednn_sgemm() != nullptr))
    return c10::nullopt;
  if (x.dim() < 1 || w.dim() != 2 || x.size(-1) != w.size(1) || w.size(0) == 0 || w.size(1) == 0 ||
      x.numel() == 0 || (b && (b->dim() != 1 || b->size(0) != w.size(0))))
    return c10::nullopt;
  auto sizes = x.sizes().vec();
  sizes.back() = w.size(0);
  if (residual && residual->sizes() != at::IntArrayRef(sizes)) return c10::nullopt;
  const auto wc = w.contiguous();
  at::Tensor out;
  if (residual)
    out = (b ? at::add(*residual, *b) : residual->clone()).contiguous();
  else if (b)
    out = b->expand(sizes).contiguous();
  else
    out = at::empty(sizes, x.options());
  const int64_t n = wc.size(0), k = wc.size(1), m = x.numel() / k;
  const float beta = (b || residual) ? 1.f : 0.f;
  if (bf16) {
    const auto xb = x.to(at::kBFloat16).contiguous();
    const auto bits = [](const at::Tensor& t) { return static_cast<const uint16_t*>(t.data_ptr()); };
    check_gemm(ufm::onednn_gemm_bf16()('N', 'T', m, n, k, 1.f, bits(xb), k, bits(wc), k, beta,
                                       out.data_ptr<float>(), n));
  } else {
    const auto xc = x.contiguous();
    check_gemm(ufm::onednn_sgemm()('N', 'T', m, n, k, 1.f, xc.data_ptr<float>(), k,
                                   wc.data_ptr<float>(), k, beta, out.data_ptr<float>(), n));
  }
  return out;
}

// nn.Linear; a bfloat16 w outside the fast path: x rounded to bfloat16 and both operands widened
// back, so products and sums are float32 as in oneDNN's bf16 GEMM.
at::Tensor linear(const at::Tensor& x, const at::Tensor& w, const at::Tensor* b) {
  if (auto fast = fast_linear(x, w, b, nullptr)) return *fast;
  const auto bias = b ? c10::optional<at::Tensor>(*b) : c10::nullopt;
  if (w.scalar_type() == at::kBFloat16 && x.scalar_type() != at::kBFloat16)
    return at::linear(x.to(at::kBFloat16).to(x.scalar_type()), w.to(x.scalar_type()), bias);
  return at::linear(x, w, bias);
}

// The attention core on the CPU: for each (image, head) the scores scale * q k^T by one GEMM
// reading q and k in place from qkv's rows (leading dimension 3D), the softmax (ATen's kernel),
// and p v written straight into the head's columns of the output (leading dimension D).
void fast_attention(ufm::Sgemm sgemm, const at::Tensor& qkv, int64_t heads, float scale,
                    at::Tensor& out, at::Tensor* probs) {
  const int64_t b = qkv.size(0), t = qkv.size(1), d3 = qkv.size(2), d = d3 / 3, hd = d / heads;
  const float* src = qkv.data_ptr<float>();
  float* dst = out.data_ptr<float>();
  float* kept = probs ? probs->data_ptr<float>() : nullptr;
  at::parallel_for(0, b * heads, 1, [&](int64_t begin, int64_t end) {
    c10::InferenceMode mode;  // OpenMP workers do not inherit the caller's thread-local mode
    std::vector<float> scratch(static_cast<size_t>((kept ? 1 : 2) * t * t));
    const auto options = at::TensorOptions().dtype(at::kFloat);
    for (int64_t i = begin; i < end; ++i) {
      const int64_t image = i / heads, head = i % heads;
      const float* q = src + image * t * d3 + head * hd;
      float* scores = scratch.data();
      float* p = kept ? kept + i * t * t : scratch.data() + t * t;
      check_gemm(sgemm('N', 'T', t, t, hd, scale, q, d3, q + d, d3, 0.f, scores, t));
      auto p_view = at::from_blob(p, {t, t}, options);
      at::_softmax_out(p_view, at::from_blob(scores, {t, t}, options), 1, false);
      check_gemm(sgemm('N', 'N', t, hd, t, 1.f, p, t, q + 2 * d, d3, 0.f,
                       dst + image * t * d + head * hd, d));
    }
  });
}

}  // namespace

UFM_EXPORT int ufm_onednn_gemm_available() { return ufm::onednn_sgemm() ? 1 : 0; }
UFM_EXPORT void ufm_set_onednn_gemm(int enabled) { g_onednn_enabled.store(enabled != 0); }
UFM_EXPORT int ufm_get_onednn_gemm() { return g_onednn_enabled.load() ? 1 : 0; }

UFM_EXPORT Handle ufm_linear(Handle x, Handle w, Handle b) { UFM_TENSOR(linear(*x, *w, b)) }

// GELU(x w^T + b), exact (erf), applied in place on the fresh product.
UFM_EXPORT Handle ufm_linear_gelu(Handle x, Handle w, Handle b) {
  UFM_GUARDED(nullptr, {
    if (auto fast = fast_linear(*x, *w, b, nullptr)) return ufm::wrap(at::gelu_(*fast));
    return ufm::wrap(at::gelu(linear(*x, *w, b)));
  })
}

// residual + (x w^T + b).
UFM_EXPORT Handle ufm_linear_add(Handle x, Handle w, Handle b, Handle residual) {
  UFM_GUARDED(nullptr, {
    if (auto fast = fast_linear(*x, *w, b, residual)) return ufm::wrap(*fast);
    return ufm::wrap(at::add(*residual, linear(*x, *w, b)));
  })
}

// DINO's attention from qkv = Linear(D, 3D)(x), [B, T, 3D] laid out as (3, heads, D / heads):
// out = concat over heads of softmax(scale * q k^T) v, [B, T, D], and with want_attention the
// softmax attention [B, heads, T, T] (else *attention stays null).
UFM_EXPORT int ufm_attention(Handle qkv, int64_t heads, double scale, int want_attention,
                             Handle* out, Handle* attention) {
  UFM_GUARDED(-1, {
    const auto& x = *qkv;
    TORCH_CHECK(x.dim() == 3 && heads > 0 && x.size(2) % (3 * heads) == 0,
                "attention: qkv must be [B, T, 3 * heads * head_dim], got ", x.sizes(), " for ",
                heads, " heads");
    const int64_t b = x.size(0), t = x.size(1), d = x.size(2) / 3;
    at::Tensor o, probs;
    if (onednn_applies({&x}) && all_float({&x}) && ufm::onednn_sgemm() && x.numel() > 0) {
      const auto xc = x.contiguous();
      o = at::empty({b, t, d}, x.options());
      if (want_attention) probs = at::empty({b, heads, t, t}, x.options());
      fast_attention(ufm::onednn_sgemm(), xc, heads, static_cast<float>(scale), o, want_attention ? &probs : nullptr);
    } else {
      const auto parts = x.reshape({b, t, 3, heads, d / heads}).permute({2, 0, 3, 1, 4});
      probs = at::softmax(at::matmul(parts[0], parts[1].transpose(-2, -1)) * scale, -1);
      o = at::matmul(probs, parts[2]).transpose(1, 2).reshape({b, t, d});
    }
    *out = ufm::wrap(std::move(o));
    *attention = want_attention ? ufm::wrap(std::move(probs)) : nullptr;
    return 0;
  })
}

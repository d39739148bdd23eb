// Shared machinery of the C ABI: export macro, per-thread error slot, autograd mode,
// and the guard every exported function body runs inside.
#pragma once

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <c10/core/InferenceMode.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#define UFM_EXPORT extern "C" __attribute__((visibility("default")))

namespace ufm {

using Handle = at::Tensor*;

// Message of the last failed call on this thread; the managed side reads it right after the
// failure. One reused buffer per thread, so nothing leaks (TorchSharp's strdup does).
void set_error(const char* message);
void clear_error();

// Autograd is off unless the managed side asked for it on this thread.
bool grad_enabled();
void set_grad_enabled(bool enabled);

inline Handle wrap(at::Tensor t) {
  return t.defined() ? new at::Tensor(std::move(t)) : nullptr;
}

inline at::IntArrayRef dims(const int64_t* values, int count) {
  return at::IntArrayRef(values, static_cast<size_t>(count));
}

// NaN stands for "not given" in optional double arguments.
inline c10::optional<double> opt(double value) {
  return std::isnan(value) ? c10::nullopt : c10::optional<double>(value);
}

inline c10::optional<at::Tensor> opt(Handle t) {
  return t ? c10::optional<at::Tensor>(*t) : c10::nullopt;
}

at::Device device_of(int type, int index);

// oneDNN's row-major float32 GEMM, C = alpha * op(A) op(B) + beta * C (dnnl_sgemm, status 0 on
// success), where libtorch loaded oneDNN as a shared library (Debian's libtorch does; PyTorch's
// wheels link it in privately): looked up at run time, nullptr when absent.
using Sgemm = int (*)(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                      const float* a, int64_t lda, const float* b, int64_t ldb, float beta,
                      float* c, int64_t ldc);
Sgemm onednn_sgemm();

// oneDNN's bfloat16 GEMM with float32 products, accumulation and output (dnnl_gemm_bf16bf16f32;
// A and B are bfloat16 bit patterns), the same way.
using GemmBf16 = int (*)(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                         const uint16_t* a, int64_t lda, const uint16_t* b, int64_t ldb, float beta,
                         float* c, int64_t ldc);
GemmBf16 onednn_gemm_bf16();

}  // namespace ufm

// Every export: run in the thread's autograd mode, turn any C++ exception into the error slot
// and a failure value, so nothing ever unwinds across the ABI into the CLR.
#define UFM_GUARDED(failure, ...)                                   \
  try {                                                             \
    ufm::clear_error();                                             \
    c10::InferenceMode ufm_mode_guard(!ufm::grad_enabled());        \
    __VA_ARGS__                                                     \
  } catch (const c10::Error& e) {                                   \
    ufm::set_error(e.what_without_backtrace());                     \
  } catch (const std::exception& e) {                               \
    ufm::set_error(e.what());                                       \
  } catch (...) {                                                   \
    ufm::set_error("unknown native exception");                     \
  }                                                                 \
  return failure;

// Shorthand for the common case: one tensor out, nullptr on failure.
#define UFM_TENSOR(expr) UFM_GUARDED(nullptr, { return ufm::wrap(expr); })
// Status-returning exports: 0 on success, -1 on failure.
#define UFM_STATUS(...) UFM_GUARDED(-1, { __VA_ARGS__ return 0; })

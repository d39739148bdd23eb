// Settings and figures that only some libtorch builds have, reached through symbols looked up at
// run time: CPU-only libtorch 1.13 ships no CUDA headers or libraries, and its at::Context lacks
// setters that PyTorch 2.x has, so linking against them would break one build or the other.
#include "bridge.h"

#include <c10/core/DeviceGuard.h>
#include <dlfcn.h>

namespace {

// `name` in this library or anything it loaded with it (dlsym on a library's own handle searches
// its dependency tree: libtorch_cpu, and with CUDA libtorch_cuda and the CUDA runtime); nullptr
// when absent.
void* lookup(const char* name) {
  static const int anchor = 0;
  Dl_info self{};
  if (dladdr(&anchor, &self) == 0 || !self.dli_fname) return nullptr;
  void* handle = dlopen(self.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
  if (!handle) return nullptr;
  void* symbol = dlsym(handle, name);
  dlclose(handle);
  return symbol;
}

}  // namespace

namespace ufm {

Sgemm onednn_sgemm() {
  static const Sgemm sgemm = reinterpret_cast<Sgemm>(lookup("dnnl_sgemm"));
  return sgemm;
}

GemmBf16 onednn_gemm_bf16() {
  static const GemmBf16 gemm = reinterpret_cast<GemmBf16>(lookup("dnnl_gemm_bf16bf16f32"));
  return gemm;
}

}  // namespace ufm

// Free and total bytes of CUDA device `idx` from the CUDA runtime's cudaMemGetInfo. Returns 1 with
// the figures, 0 when no CUDA runtime is loaded, -1 on error.
UFM_EXPORT int ufm_cuda_mem_info(int idx, int64_t* free_bytes, int64_t* total_bytes) {
  UFM_GUARDED(-1, {
    using MemGetInfo = int (*)(size_t*, size_t*);
    auto mem_get_info = reinterpret_cast<MemGetInfo>(lookup("cudaMemGetInfo"));
    if (!mem_get_info) return 0;
    c10::DeviceGuard guard(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(idx)));
    size_t free_now = 0, total = 0;
    const int status = mem_get_info(&free_now, &total);
    TORCH_CHECK(status == 0, "cudaMemGetInfo failed with CUDA error ", status);
    *free_bytes = static_cast<int64_t>(free_now);
    *total_bytes = static_cast<int64_t>(total);
    return 1;
  })
}

// Keeps float32 arithmetic float32 on CUDA: PyTorch lets cuDNN run float32 convolutions in TF32
// (a 10-bit mantissa) by default, which moves the ViT's patch embedding far beyond float32
// rounding; cuBLAS's TF32 switch is off by default and is set here all the same.
UFM_EXPORT int ufm_disallow_tf32() {
  UFM_STATUS(at::globalContext().setAllowTF32CuDNN(false); at::globalContext().setAllowTF32CuBLAS(false);)
}

// Makes cuBLAS reduce bfloat16 GEMMs in float32 (split-K partial sums included), which the
// certified bfloat16 kNN's error bound assumes. PyTorch 2.x lets cuBLAS reduce in bfloat16 by
// default; its switch, at::Context::setAllowBF16ReductionCuBLAS, takes one bool or, in releases
// that added a split-K option, two, and libtorch 1.13 has none: looked up under both mangled names. Returns 1 when applied, 0 when this libtorch has no such switch.
UFM_EXPORT int ufm_disallow_bf16_reduced_precision_reduction() {
  UFM_GUARDED(-1, {
    using OneFlag = void (*)(at::Context*, bool);
    using TwoFlags = void (*)(at::Context*, bool, bool);
    auto one = reinterpret_cast<OneFlag>(lookup("_ZN2at7Context27setAllowBF16ReductionCuBLASEb"));
    auto two = reinterpret_cast<TwoFlags>(lookup("_ZN2at7Context27setAllowBF16ReductionCuBLASEbb"));
    if (two) {
      two(&at::globalContext(), /*allow_reduced_precision=*/false, /*allow_splitk=*/true);
      return 1;
    }
    if (one) {
      one(&at::globalContext(), false);
      return 1;
    }
    return 0;
  })
}

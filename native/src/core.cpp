// Tensor lifecycle, creation from and copy to host memory, queries, conversions, runtime
// settings (threads, seeds, CUDA) and random tensors.
#include "bridge.h"

#include <torch/cuda.h>
#include <torch/version.h>

#include <cstring>

namespace ufm {

namespace {
thread_local std::string g_error;
thread_local bool g_grad_enabled = false;
}  // namespace

void set_error(const char* message) { g_error.assign(message ? message : ""); }
void clear_error() { g_error.clear(); }
bool grad_enabled() { return g_grad_enabled; }
void set_grad_enabled(bool enabled) { g_grad_enabled = enabled; }

at::Device device_of(int type, int index) {
  if (type == 0) return at::Device(at::kCPU);
  if (type == 1) return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index));
  throw std::invalid_argument("unknown device type " + std::to_string(type));
}

static at::TensorOptions options(int dtype, int device_type, int device_index) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(device_of(device_type, device_index));
}

}  // namespace ufm

using ufm::Handle;

UFM_EXPORT const char* ufm_last_error() { return ufm::g_error.c_str(); }

UFM_EXPORT void ufm_free(Handle t) { delete t; }

UFM_EXPORT const char* ufm_torch_version() { return TORCH_VERSION; }

// ---- runtime -------------------------------------------------------------------------------

UFM_EXPORT void ufm_set_grad_enabled(int enabled) { ufm::set_grad_enabled(enabled != 0); }
UFM_EXPORT int ufm_get_grad_enabled() { return ufm::grad_enabled() ? 1 : 0; }

UFM_EXPORT int ufm_set_num_threads(int n) { UFM_STATUS(at::set_num_threads(n);) }
UFM_EXPORT int ufm_get_num_threads() { return at::get_num_threads(); }

UFM_EXPORT int ufm_manual_seed(uint64_t seed) {
  UFM_STATUS(at::manual_seed(seed); if (torch::cuda::is_available()) {
    for (size_t i = 0; i < torch::cuda::device_count(); ++i)
    {
      auto gen = at::globalContext().defaultGenerator(
          at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(i)));
      gen.set_current_seed(seed);
    }
  })
}

UFM_EXPORT int ufm_cuda_is_available() { return torch::cuda::is_available() ? 1 : 0; }
UFM_EXPORT int ufm_cuda_device_count() { return static_cast<int>(torch::cuda::device_count()); }
UFM_EXPORT int ufm_cuda_synchronize(int index) { UFM_STATUS(torch::cuda::synchronize(index);) }

// ---- creation ------------------------------------------------------------------------------

// Copies `nbytes` of host memory laid out as a contiguous tensor of `sizes` and `dtype`.
UFM_EXPORT Handle ufm_from_host(const void* data, int64_t nbytes, const int64_t* sizes, int ndim,
                                int dtype) {
  UFM_GUARDED(nullptr, {
    at::Tensor t = at::empty(ufm::dims(sizes, ndim), at::TensorOptions().dtype(
                                                         static_cast<at::ScalarType>(dtype)));
    const int64_t expected = t.numel() * static_cast<int64_t>(t.element_size());
    TORCH_CHECK(expected == nbytes, "from_host: ", nbytes, " bytes given for a tensor of shape ",
                t.sizes(), " and dtype ", t.scalar_type(), " which needs ", expected);
    if (nbytes > 0) std::memcpy(t.data_ptr(), data, static_cast<size_t>(nbytes));
    return ufm::wrap(std::move(t));
  })
}

UFM_EXPORT Handle ufm_empty(const int64_t* sizes, int ndim, int dtype, int dev, int idx) {
  UFM_TENSOR(at::empty(ufm::dims(sizes, ndim), ufm::options(dtype, dev, idx)))
}
UFM_EXPORT Handle ufm_full(const int64_t* sizes, int ndim, double value, int dtype, int dev,
                           int idx) {
  UFM_TENSOR(at::full(ufm::dims(sizes, ndim), value, ufm::options(dtype, dev, idx)))
}
UFM_EXPORT Handle ufm_arange(double start, double end, double step, int dtype, int dev, int idx) {
  UFM_TENSOR(at::arange(start, end, step, ufm::options(dtype, dev, idx)))
}
UFM_EXPORT Handle ufm_rand(const int64_t* sizes, int ndim, int dtype, int dev, int idx) {
  UFM_TENSOR(at::rand(ufm::dims(sizes, ndim), ufm::options(dtype, dev, idx)))
}
UFM_EXPORT Handle ufm_randn(const int64_t* sizes, int ndim, int dtype, int dev, int idx) {
  UFM_TENSOR(at::randn(ufm::dims(sizes, ndim), ufm::options(dtype, dev, idx)))
}
UFM_EXPORT Handle ufm_randperm(int64_t n, int dtype, int dev, int idx) {
  UFM_TENSOR(at::randperm(n, ufm::options(dtype, dev, idx)))
}
UFM_EXPORT Handle ufm_randint(int64_t low, int64_t high, const int64_t* sizes, int ndim, int dtype,
                              int dev, int idx) {
  UFM_TENSOR(at::randint(low, high, ufm::dims(sizes, ndim), ufm::options(dtype, dev, idx)))
}

// ---- data out ------------------------------------------------------------------------------

// Copies the tensor's elements in row-major order into `dst` (any device, any strides).
UFM_EXPORT int ufm_to_host(Handle t, void* dst, int64_t nbytes) {
  UFM_STATUS({
    at::Tensor c = t->to(at::kCPU).contiguous();
    const int64_t have = c.numel() * static_cast<int64_t>(c.element_size());
    TORCH_CHECK(have == nbytes, "to_host: destination holds ", nbytes, " bytes, tensor has ",
                have);
    if (nbytes > 0) std::memcpy(dst, c.data_ptr(), static_cast<size_t>(nbytes));
  })
}

// The first element's address of a contiguous CPU tensor, so the managed side can fill it from a
// file or write it out without an intermediate managed copy. nullptr (with an error) otherwise.
UFM_EXPORT void* ufm_data_ptr(Handle t) {
  UFM_GUARDED(nullptr, {
    TORCH_CHECK(t->device().is_cpu(), "data_ptr: tensor is on ", t->device(), ", not the CPU");
    TORCH_CHECK(t->is_contiguous(), "data_ptr: tensor is not contiguous");
    return t->data_ptr();
  })
}

UFM_EXPORT int ufm_item_double(Handle t, double* out) {
  UFM_STATUS(*out = t->item<double>();)
}
UFM_EXPORT int ufm_item_long(Handle t, int64_t* out) { UFM_STATUS(*out = t->item<int64_t>();) }

// ---- queries -------------------------------------------------------------------------------

UFM_EXPORT int ufm_ndim(Handle t) { return static_cast<int>(t->dim()); }
UFM_EXPORT void ufm_sizes(Handle t, int64_t* out) {
  for (int64_t i = 0; i < t->dim(); ++i) out[i] = t->size(i);
}
UFM_EXPORT void ufm_strides(Handle t, int64_t* out) {
  for (int64_t i = 0; i < t->dim(); ++i) out[i] = t->stride(i);
}
UFM_EXPORT int ufm_dtype(Handle t) { return static_cast<int>(t->scalar_type()); }
UFM_EXPORT int ufm_device_type(Handle t) { return t->is_cuda() ? 1 : 0; }
UFM_EXPORT int ufm_device_index(Handle t) { return t->is_cuda() ? t->device().index() : -1; }
UFM_EXPORT int ufm_is_contiguous(Handle t) { return t->is_contiguous() ? 1 : 0; }
UFM_EXPORT int ufm_requires_grad(Handle t) { return t->requires_grad() ? 1 : 0; }

// ---- conversion ----------------------------------------------------------------------------

UFM_EXPORT Handle ufm_to(Handle t, int dev, int idx, int dtype, int non_blocking) {
  UFM_TENSOR(t->to(ufm::device_of(dev, idx), static_cast<at::ScalarType>(dtype),
                   non_blocking != 0))
}
UFM_EXPORT Handle ufm_pin_memory(Handle t) { UFM_TENSOR(t->pin_memory()) }
UFM_EXPORT Handle ufm_clone(Handle t) { UFM_TENSOR(t->clone()) }
UFM_EXPORT Handle ufm_contiguous(Handle t) { UFM_TENSOR(t->contiguous()) }
UFM_EXPORT Handle ufm_alias(Handle t) { UFM_TENSOR(at::Tensor(*t)) }

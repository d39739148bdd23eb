// Host-device transfers that overlap compute: a copy enqueued on a side stream that the compute
// stream waits for only when the data is used, pinned-memory queries, and the CUDA runtime's
// free-memory figure. Written against c10's device-generic stream and event interfaces (and a
// run-time symbol lookup), so the bridge builds unchanged against CPU-only and CUDA libtorch.
#include "bridge.h"

#include <c10/core/Event.h>
#include <c10/core/StreamGuard.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <c10/core/DeviceGuard.h>
#include <dlfcn.h>

#include <memory>

using ufm::Handle;

namespace {

// A copy in flight: the destination tensor, and on CUDA the event marking the copy's end on the
// side stream.
struct PendingCopy {
  at::Tensor result;
  c10::optional<c10::Event> done;
};

}  // namespace

// Starts copying `src` to the device. Host -> CUDA: the copy (non-blocking, truly asynchronous
// from pinned memory) runs on a stream from libtorch's pool, so kernels already queued on the
// current stream keep running; the destination is allocated on that side stream and recorded as
// used by the current stream, so the caching allocator cannot hand it out before the consumer is
// done. Any other pair of devices: an ordinary (synchronous) `to`.
UFM_EXPORT void* ufm_copy_start(Handle src, int dev, int idx) {
  UFM_GUARDED(nullptr, {
    at::Device device = ufm::device_of(dev, idx);
    auto pending = std::make_unique<PendingCopy>();
    if (device.is_cuda() && src->device().is_cpu()) {
      const auto* impl = c10::impl::getDeviceGuardImpl(device.type());
      if (!device.has_index()) device = impl->getDevice();
      const c10::Stream compute = impl->getStream(device);
      const c10::Stream side = impl->getStreamFromGlobalPool(device, /*isHighPriority=*/false);
      {
        c10::StreamGuard guard(side);
        pending->result = src->to(device, /*non_blocking=*/true);
      }
      pending->result.record_stream(compute);
      pending->done.emplace(device.type());
      pending->done->record(side);
    } else {
      pending->result = src->to(device);
    }
    return static_cast<void*>(pending.release());
  })
}

// Ends a copy started by ufm_copy_start: work queued on the current stream from now on waits for
// it (the host does not). Returns the copied tensor and frees the pending copy, also on failure.
UFM_EXPORT Handle ufm_copy_finish(void* copy) {
  std::unique_ptr<PendingCopy> pending(static_cast<PendingCopy*>(copy));
  UFM_GUARDED(nullptr, {
    if (pending->done) {
      const auto* impl = c10::impl::getDeviceGuardImpl(pending->result.device().type());
      pending->done->block(impl->getStream(pending->result.device()));
    }
    return ufm::wrap(std::move(pending->result));
  })
}

// Frees a copy that will not be finished (an aborted search).
UFM_EXPORT void ufm_copy_free(void* copy) { delete static_cast<PendingCopy*>(copy); }

UFM_EXPORT int ufm_is_pinned(Handle t) {
  UFM_GUARDED(-1, { return t->is_pinned() ? 1 : 0; })
}

// Free and total bytes of CUDA device `idx` from cudaMemGetInfo, looked up at run time in the CUDA
// runtime that a CUDA libtorch loads (dlsym on this library's handle searches its dependencies),
// because CPU-only libtorch ships no CUDA headers or libraries to link against. Returns 1 with the
// figures, 0 when no CUDA runtime is loaded, -1 on error.
UFM_EXPORT int ufm_cuda_mem_info(int idx, int64_t* free_bytes, int64_t* total_bytes) {
  UFM_GUARDED(-1, {
    using MemGetInfo = int (*)(size_t*, size_t*);
    Dl_info self{};
    if (dladdr(reinterpret_cast<void*>(&ufm_cuda_mem_info), &self) == 0 || !self.dli_fname) return 0;
    void* handle = dlopen(self.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    if (!handle) return 0;
    auto lookup = reinterpret_cast<MemGetInfo>(dlsym(handle, "cudaMemGetInfo"));
    dlclose(handle);
    if (!lookup) return 0;
    c10::DeviceGuard guard(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(idx)));
    size_t free_now = 0, total = 0;
    const int status = lookup(&free_now, &total);
    TORCH_CHECK(status == 0, "cudaMemGetInfo failed with CUDA error ", status);
    *free_bytes = static_cast<int64_t>(free_now);
    *total_bytes = static_cast<int64_t>(total);
    return 1;
  })
}

// Blocks the host until the work queued on the device's current stream is done, leaving other
// streams (a copy in flight on a side stream) running. No-op for the CPU.
UFM_EXPORT int ufm_stream_synchronize(int dev, int idx) {
  UFM_STATUS({
    at::Device device = ufm::device_of(dev, idx);
    if (device.is_cuda()) {
      const auto* impl = c10::impl::getDeviceGuardImpl(device.type());
      if (!device.has_index()) device = impl->getDevice();
      impl->getStream(device).synchronize();
    }
  })
}

// Makes cuBLAS reduce bfloat16 GEMMs in float32 (split-K partial sums included), which the
// certified bfloat16 kNN's error bound assumes. PyTorch 2.x lets cuBLAS reduce in bfloat16 by
// default; its switch, at::Context::setAllowBF16ReductionCuBLAS, takes one bool (2.0-2.6) or two
// (reduced precision, split-K; later), and libtorch 1.13 has none, so it is looked up at run time
// under both mangled names. Returns 1 when applied, 0 when this libtorch has no such switch.
UFM_EXPORT int ufm_disallow_bf16_reduced_precision_reduction() {
  UFM_GUARDED(-1, {
    Dl_info self{};
    if (dladdr(reinterpret_cast<void*>(&ufm_disallow_bf16_reduced_precision_reduction), &self) == 0 ||
        !self.dli_fname)
      return 0;
    void* handle = dlopen(self.dli_fname, RTLD_LAZY | RTLD_NOLOAD);
    if (!handle) return 0;
    using OneFlag = void (*)(at::Context*, bool);
    using TwoFlags = void (*)(at::Context*, bool, bool);
    auto one = reinterpret_cast<OneFlag>(dlsym(handle, "_ZN2at7Context27setAllowBF16ReductionCuBLASEb"));
    auto two = reinterpret_cast<TwoFlags>(dlsym(handle, "_ZN2at7Context27setAllowBF16ReductionCuBLASEbb"));
    dlclose(handle);
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

// Host-device transfers that overlap compute: a copy enqueued on a side stream that the compute
// stream waits for only when the data is used, pinned-memory queries and stream synchronization.
// Written against c10's device-generic stream and event interfaces, so the bridge builds unchanged
// against CPU-only and CUDA libtorch.
#include "bridge.h"

#include <c10/core/Event.h>
#include <c10/core/StreamGuard.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>

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

// Views, reshaping, joining and indexing.
#include "bridge.h"

using ufm::Handle;

static std::vector<at::Tensor> list(Handle* items, int count) {
  std::vector<at::Tensor> out;
  out.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) out.push_back(*items[i]);
  return out;
}

UFM_EXPORT Handle ufm_reshape(Handle a, const int64_t* s, int n) { UFM_TENSOR(a->reshape(ufm::dims(s, n))) }
UFM_EXPORT Handle ufm_view(Handle a, const int64_t* s, int n) { UFM_TENSOR(a->view(ufm::dims(s, n))) }
UFM_EXPORT Handle ufm_expand(Handle a, const int64_t* s, int n) { UFM_TENSOR(a->expand(ufm::dims(s, n))) }
UFM_EXPORT Handle ufm_permute(Handle a, const int64_t* d, int n) { UFM_TENSOR(a->permute(ufm::dims(d, n))) }
UFM_EXPORT Handle ufm_transpose(Handle a, int64_t d0, int64_t d1) { UFM_TENSOR(a->transpose(d0, d1)) }
UFM_EXPORT Handle ufm_squeeze(Handle a, int64_t dim) { UFM_TENSOR(a->squeeze(dim)) }
UFM_EXPORT Handle ufm_unsqueeze(Handle a, int64_t dim) { UFM_TENSOR(a->unsqueeze(dim)) }
UFM_EXPORT Handle ufm_flatten(Handle a, int64_t start, int64_t end) { UFM_TENSOR(a->flatten(start, end)) }

UFM_EXPORT Handle ufm_cat(Handle* items, int count, int64_t dim) { UFM_TENSOR(at::cat(list(items, count), dim)) }
UFM_EXPORT Handle ufm_stack(Handle* items, int count, int64_t dim) { UFM_TENSOR(at::stack(list(items, count), dim)) }

UFM_EXPORT Handle ufm_narrow(Handle a, int64_t dim, int64_t start, int64_t length) {
  UFM_TENSOR(a->narrow(dim, start, length))
}
UFM_EXPORT Handle ufm_slice(Handle a, int64_t dim, int64_t start, int64_t end, int64_t step) {
  UFM_TENSOR(a->slice(dim, start, end, step))
}
UFM_EXPORT Handle ufm_select(Handle a, int64_t dim, int64_t index) { UFM_TENSOR(a->select(dim, index)) }
UFM_EXPORT Handle ufm_index_select(Handle a, int64_t dim, Handle index) {
  UFM_TENSOR(a->index_select(dim, *index))
}
UFM_EXPORT Handle ufm_gather(Handle a, int64_t dim, Handle index) { UFM_TENSOR(a->gather(dim, *index)) }
UFM_EXPORT Handle ufm_masked_select(Handle a, Handle mask) { UFM_TENSOR(a->masked_select(*mask)) }
UFM_EXPORT Handle ufm_nonzero(Handle a) { UFM_TENSOR(a->nonzero()) }

// In place: dst[...] = src (broadcast), for filling preallocated buffers through views.
UFM_EXPORT int ufm_copy_(Handle dst, Handle src) { UFM_STATUS(dst->copy_(*src);) }
UFM_EXPORT int ufm_fill_(Handle dst, double value) { UFM_STATUS(dst->fill_(value);) }

// A view with explicit sizes, strides and storage offset (in elements) over a's storage; how
// checkpoint readers rebuild tensors that share one serialized storage.
UFM_EXPORT Handle ufm_as_strided(Handle a, const int64_t* sizes, const int64_t* strides, int n,
                                 int64_t storage_offset) {
  UFM_TENSOR(a->as_strided(ufm::dims(sizes, n), ufm::dims(strides, n), storage_offset))
}

// Out of place: a copy of `a` whose slices at `index` along `dim` are replaced by `source`'s.
UFM_EXPORT Handle ufm_index_copy(Handle a, int64_t dim, Handle index, Handle source) {
  UFM_TENSOR(a->index_copy(dim, *index, *source))
}

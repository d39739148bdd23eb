// Running selection of the k smallest values per row across column blocks (the candidate pass of
// the nearest-neighbour search).
#include "bridge.h"

#include <c10/util/BFloat16.h>

#include <algorithm>
#include <limits>
#include <tuple>

using ufm::Handle;

namespace {

// The fused CPU loop keeps k values per row in a small array; beyond this the generic path wins.
constexpr int64_t kFusedMaxK = 64;

// Columns per min-reduction before the per-element insertion test: the reduction vectorizes and a
// block rarely holds a value below the row's current k-th smallest, so most blocks cost one compare.
constexpr int64_t kStride = 32;

int64_t largest_slot(const float* values, int64_t k) {
  int64_t slot = 0;
  for (int64_t j = 1; j < k; ++j)
    if (values[j] > values[slot]) slot = j;
  return slot;
}

// One row: every column below the row's current k-th smallest replaces it. Strict `<` keeps the
// earlier column on ties, and NaN never enters.
template <typename T>
void update_row(const T* row, int64_t cols, int64_t first, float* values, int64_t* indices,
                int64_t k) {
  int64_t worst = largest_slot(values, k);
  float bound = values[worst];
  auto consider = [&](int64_t c) {
    const float x = static_cast<float>(row[c]);
    if (x < bound) {
      values[worst] = x;
      indices[worst] = first + c;
      worst = largest_slot(values, k);
      bound = values[worst];
    }
  };
  int64_t c = 0;
  for (; c + kStride <= cols; c += kStride) {
    float low = static_cast<float>(row[c]);
    for (int64_t j = 1; j < kStride; ++j) low = std::min(low, static_cast<float>(row[c + j]));
    if (!(low < bound)) continue;
    for (int64_t j = 0; j < kStride; ++j) consider(c + j);
  }
  for (; c < cols; ++c) consider(c);
}

template <typename T>
void update_fused(const at::Tensor& block, int64_t first, at::Tensor& values,
                  at::Tensor& indices) {
  const int64_t rows = block.size(0), cols = block.size(1), k = values.size(1);
  const T* data = block.data_ptr<T>();
  float* v = values.data_ptr<float>();
  int64_t* ix = indices.data_ptr<int64_t>();
  at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) update_row(data + r * cols, cols, first, v + r * k, ix + r * k, k);
  });
}

// Any device and dtype: the block's own k smallest, merged with the running ones by a second top-k.
void update_generic(const at::Tensor& block, int64_t first, at::Tensor& values,
                    at::Tensor& indices) {
  const int64_t k = values.size(1);
  auto top = block.topk(std::min(k, block.size(1)), 1, /*largest=*/false, /*sorted=*/false);
  auto candidates = at::cat({values, std::get<0>(top).to(at::kFloat)}, 1);
  auto rows = at::cat({indices, std::get<1>(top) + first}, 1);
  auto best = candidates.topk(k, 1, /*largest=*/false, /*sorted=*/false);
  values.copy_(std::get<0>(best));
  indices.copy_(rows.gather(1, std::get<1>(best)));
}

}  // namespace

// values [Q, k] float32 and indices [Q, k] int64 hold, per row, the k smallest values seen so far
// and their column numbers; this folds in block [Q, C], whose column c is number first + c.
// Start from values = +inf. A contiguous float32/bfloat16 CPU block with k <= 64 takes one fused
// pass over the block; anything else two top-k calls.
UFM_EXPORT int ufm_update_smallest(Handle block, int64_t first, Handle values, Handle indices) {
  UFM_STATUS({
    TORCH_CHECK(block->dim() == 2 && values->dim() == 2 && indices->dim() == 2,
                "update_smallest: block, values and indices must be matrices");
    TORCH_CHECK(values->sizes() == indices->sizes() && values->size(0) == block->size(0),
                "update_smallest: values ", values->sizes(), " and indices ", indices->sizes(),
                " must both be [", block->size(0), ", k]");
    TORCH_CHECK(values->scalar_type() == at::kFloat && indices->scalar_type() == at::kLong,
                "update_smallest: values must be float32 and indices int64");
    TORCH_CHECK(values->size(1) >= 1, "update_smallest: k must be at least 1");
    TORCH_CHECK(values->device() == block->device() && indices->device() == block->device(),
                "update_smallest: block, values and indices must be on one device");
    const bool fused = block->device().is_cpu() && block->is_contiguous() &&
                       values->is_contiguous() && indices->is_contiguous() &&
                       values->size(1) <= kFusedMaxK;
    if (fused && block->scalar_type() == at::kFloat)
      update_fused<float>(*block, first, *values, *indices);
    else if (fused && block->scalar_type() == at::kBFloat16)
      update_fused<c10::BFloat16>(*block, first, *values, *indices);
    else
      update_generic(*block, first, *values, *indices);
  })
}

// PatchCore's approximate greedy coreset on the CPU (see ApproximateGreedyCoresetSampler.cs): the
// random projection row by row, and the greedy picks as one streaming pass over the projected rows
// per pick. Each pick is memory-bound, so a STREAM-like bandwidth probe sits here too, to say how
// close a pick comes to the machine's limit.
#include "bridge.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <immintrin.h>
#include <limits>
#include <vector>

using ufm::Handle;

// GCC 12's AVX-512 headers start some intrinsics (sqrt, min) from a deliberately undefined register
// and then warn about it where they are inlined.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#define UFM_AVX512 __attribute__((target("avx512f")))

namespace {

bool has_avx512() {
  static const bool ok = __builtin_cpu_supports("avx512f") != 0;
  return ok;
}

// Rows per register tile of the projection: 3 rows x 8 registers of 16 outputs (P = 128).
constexpr int64_t kProjectRows = 3;

// out[r, p] = Σ_d x[r, d] · w[p, d] for 16·blocks outputs p, each a float32 fused multiply-add chain
// over d in order: the same value for a row whatever rows come with it. `wt` is w transposed,
// [D, 16·blocks], zero past P.
template <int Rows>
UFM_AVX512 void project_tile(const float* x, int64_t dim, const float* wt, int64_t blocks, float* out,
                             int64_t out_stride, int64_t outputs) {
  for (int64_t b0 = 0; b0 < blocks; b0 += 8) {
    const int64_t nb = std::min<int64_t>(8, blocks - b0);
    __m512 acc[Rows][8];
    for (int r = 0; r < Rows; ++r)
      for (int j = 0; j < 8; ++j) acc[r][j] = _mm512_setzero_ps();
    for (int64_t d = 0; d < dim; ++d) {
      const float* w = wt + d * blocks * 16 + b0 * 16;
      for (int r = 0; r < Rows; ++r) {
        const __m512 xr = _mm512_set1_ps(x[r * dim + d]);
        for (int j = 0; j < nb; ++j) acc[r][j] = _mm512_fmadd_ps(xr, _mm512_loadu_ps(w + 16 * j), acc[r][j]);
      }
    }
    for (int r = 0; r < Rows; ++r)
      for (int j = 0; j < nb; ++j) {
        const int64_t p = (b0 + j) * 16;
        const int64_t n = std::min<int64_t>(16, outputs - p);
        _mm512_mask_storeu_ps(out + r * out_stride + p, static_cast<__mmask16>((1u << n) - 1), acc[r][j]);
      }
  }
}

UFM_AVX512 void project_avx512(const float* x, int64_t rows, int64_t dim, const float* wt, int64_t outputs,
                               float* out) {
  const int64_t blocks = (outputs + 15) / 16;
  at::parallel_for(0, (rows + kProjectRows - 1) / kProjectRows, 16, [&](int64_t begin, int64_t end) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t r = t * kProjectRows, n = std::min(kProjectRows, rows - r);
      if (n == kProjectRows)
        project_tile<kProjectRows>(x + r * dim, dim, wt, blocks, out + r * outputs, outputs, outputs);
      else
        for (int64_t i = 0; i < n; ++i)
          project_tile<1>(x + (r + i) * dim, dim, wt, blocks, out + (r + i) * outputs, outputs, outputs);
    }
  });
}

void project_generic(const float* x, int64_t rows, int64_t dim, const float* w, int64_t outputs, float* out) {
  at::parallel_for(0, rows, 16, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r)
      for (int64_t p = 0; p < outputs; ++p) {
        float sum = 0;
        for (int64_t d = 0; d < dim; ++d) sum = std::fma(x[r * dim + d], w[p * dim + d], sum);
        out[r * outputs + p] = sum;
      }
  });
}

// The projected rows in the layout the picks stream: blocks of 16 rows, [⌈M/16⌉, P, 16], lane l of
// block b being row 16b + l, so that one register holds one coordinate of 16 rows and a dot product
// needs no horizontal sum. Padding rows are zero.
constexpr int64_t kLanes = 16;

// Per lane of block `block` ([P, 16]), Σ_k block[k][lane]·s[k]: a float32 fused multiply-add chain
// over k in order, the same for every row wherever it sits. Four blocks at a time hide the latency.
template <int Blocks>
UFM_AVX512 inline void dots(const float* block, int64_t p, const float* s, __m512* out) {
  __m512 acc[Blocks];
  for (int j = 0; j < Blocks; ++j) acc[j] = _mm512_setzero_ps();
  for (int64_t k = 0; k < p; ++k) {
    const __m512 sk = _mm512_set1_ps(s[k]);
    for (int j = 0; j < Blocks; ++j) acc[j] = _mm512_fmadd_ps(_mm512_loadu_ps(block + (j * p + k) * kLanes), sk, acc[j]);
  }
  for (int j = 0; j < Blocks; ++j) out[j] = acc[j];
}

// The farthest row so far of one part of the rows: torch.argmax's order (NaN above everything, the
// first of equal values). Per lane while scanning, then over lanes and parts.
struct Farthest {
  float value = -std::numeric_limits<float>::infinity();
  int64_t row = -1;

  void offer(float x, int64_t r) {  // r after every row offered so far, or earlier at an equal value
    const bool better = row < 0 || (std::isnan(x) && !std::isnan(value)) ||
                        (!std::isnan(value) && (x > value || (x == value && r < row))) ||
                        (std::isnan(x) && std::isnan(value) && r < row);
    if (better) {
      value = x;
      row = r;
    }
  }
};

// The running farthest row per lane of one part of the blocks, and whether a NaN was seen.
struct LaneFarthest {
  __m512 best;
  __m512i block;
  __mmask16 nan_seen;
};

// Block b's distances, lowered (when `lower`) by the pick with dot products `dot`, its norm
// `picked`, as min(d, √max((|r|² − 2 r·s) + |s|², 0)) — PatchCore's (−2ab + aa + bb).clamp(0).sqrt()
// — with torch.minimum's NaN propagation; then offered to the lanes' farthest rows.
UFM_AVX512 inline void visit_block(const float* norms, float* distances, int64_t b, __m512 dot, __m512 picked,
                                   bool lower, LaneFarthest& f) {
  __m512 d = _mm512_loadu_ps(distances + b * kLanes);
  if (lower) {
    const __m512 zero = _mm512_setzero_ps();
    const __m512 squared =
        _mm512_add_ps(_mm512_sub_ps(_mm512_loadu_ps(norms + b * kLanes), _mm512_mul_ps(_mm512_set1_ps(2.0f), dot)), picked);
    const __m512 distance = _mm512_sqrt_ps(_mm512_mask_blend_ps(_mm512_cmp_ps_mask(squared, zero, _CMP_LT_OQ), squared, zero));
    const __mmask16 either_nan = _mm512_cmp_ps_mask(d, distance, _CMP_UNORD_Q);
    d = _mm512_mask_blend_ps(either_nan, _mm512_min_ps(d, distance), _mm512_set1_ps(std::numeric_limits<float>::quiet_NaN()));
    _mm512_storeu_ps(distances + b * kLanes, d);
  }
  f.nan_seen |= _mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q);
  const __mmask16 greater = _mm512_cmp_ps_mask(d, f.best, _CMP_GT_OQ);
  f.best = _mm512_mask_blend_ps(greater, f.best, d);
  f.block = _mm512_mask_blend_epi32(greater, f.block, _mm512_set1_epi32(static_cast<int>(b)));
}

// Distances of blocks [begin, end) lowered by the pick (its projection `s`, norm `sn`; none when
// s is null) and the farthest row after. Padding rows hold −inf.
UFM_AVX512 Farthest update_blocks(const float* blocked, const float* norms, float* distances, int64_t p,
                                  const float* s, float sn, int64_t begin, int64_t end) {
  LaneFarthest lanes{_mm512_set1_ps(-std::numeric_limits<float>::infinity()), _mm512_set1_epi32(-1), 0};
  const bool lower = s != nullptr;
  const __m512 picked = _mm512_set1_ps(sn);
  __m512 dot[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
  int64_t b = begin;
  for (; b + 4 <= end; b += 4) {
    if (lower) dots<4>(blocked + b * p * kLanes, p, s, dot);
    for (int j = 0; j < 4; ++j) visit_block(norms, distances, b + j, dot[j], picked, lower, lanes);
  }
  for (; b < end; ++b) {
    if (lower) dots<1>(blocked + b * p * kLanes, p, s, dot);
    visit_block(norms, distances, b, dot[0], picked, lower, lanes);
  }
  Farthest f;
  if (lanes.nan_seen != 0) {  // rare: the first NaN in row order
    for (int64_t r = begin * kLanes; r < end * kLanes && f.row < 0; ++r)
      if (std::isnan(distances[r])) f.offer(distances[r], r);
    return f;
  }
  alignas(64) float values[kLanes];
  alignas(64) int32_t blocks[kLanes];
  _mm512_store_ps(values, lanes.best);
  _mm512_store_si512(blocks, lanes.block);
  for (int lane = 0; lane < kLanes; ++lane)
    if (blocks[lane] >= 0) f.offer(values[lane], static_cast<int64_t>(blocks[lane]) * kLanes + lane);
  return f;
}

// |r|² of the 16 rows of each block in [begin, end), as the picks' dot products compute them.
UFM_AVX512 void block_norms(const float* blocked, int64_t p, float* norms, int64_t begin, int64_t end) {
  for (int64_t b = begin; b < end; ++b) {
    const float* block = blocked + b * p * kLanes;
    __m512 acc = _mm512_setzero_ps();
    for (int64_t k = 0; k < p; ++k) {
      const __m512 x = _mm512_loadu_ps(block + k * kLanes);
      acc = _mm512_fmadd_ps(x, x, acc);
    }
    _mm512_storeu_ps(norms + b * kLanes, acc);
  }
}

// The start distance of the 16 rows of each block in [begin, end): the mean of the Euclidean
// distances to the start rows (summed over the starts in order, then divided by their count).
UFM_AVX512 void block_start_distances(const float* blocked, int64_t p, const float* norms,
                                      const std::vector<std::vector<float>>& starts,
                                      const std::vector<float>& start_norms, float* distances, int64_t begin,
                                      int64_t end) {
  const __m512 zero = _mm512_setzero_ps(), two = _mm512_set1_ps(2.0f);
  __m512 dot[1];
  for (int64_t b = begin; b < end; ++b) {
    const __m512 norm = _mm512_loadu_ps(norms + b * kLanes);
    __m512 sum = zero;
    for (size_t i = 0; i < starts.size(); ++i) {
      dots<1>(blocked + b * p * kLanes, p, starts[i].data(), dot);
      const __m512 squared = _mm512_add_ps(_mm512_sub_ps(norm, _mm512_mul_ps(two, dot[0])), _mm512_set1_ps(start_norms[i]));
      sum = _mm512_add_ps(sum, _mm512_sqrt_ps(_mm512_mask_blend_ps(_mm512_cmp_ps_mask(squared, zero, _CMP_LT_OQ), squared, zero)));
    }
    _mm512_storeu_ps(distances + b * kLanes, _mm512_div_ps(sum, _mm512_set1_ps(static_cast<float>(starts.size()))));
  }
}

// Splits the blocks into one contiguous part per thread (fixed by the block count and the thread
// count alone), runs `part(begin, end)` on each and keeps the farthest row of all.
template <typename Part>
Farthest over_parts(int64_t blocks, const Part& part) {
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), blocks / 256));
  std::vector<Farthest> found(parts);
  at::parallel_for(0, parts, 1, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) found[t] = part(blocks * t / parts, blocks * (t + 1) / parts);
  });
  Farthest all;
  for (const auto& f : found)
    if (f.row >= 0) all.offer(f.value, f.row);
  return all;
}

struct Blocked {
  const float* data;
  int64_t blocks, p;
};

Blocked check_blocked(const at::Tensor& t, const char* what) {
  TORCH_CHECK(t.dim() == 3 && t.size(2) == kLanes && t.is_contiguous() && t.scalar_type() == at::kFloat &&
                  t.device().is_cpu(),
              what, ": projected rows must be a contiguous float32 CPU tensor [blocks, P, 16], got ", t.sizes());
  return {t.data_ptr<float>(), t.size(0), t.size(1)};
}

void check_vector(const at::Tensor& t, int64_t blocks, const char* what) {
  TORCH_CHECK(t.dim() == 1 && t.size(0) == blocks * kLanes && t.is_contiguous() && t.scalar_type() == at::kFloat &&
                  t.device().is_cpu(),
              what, ": a contiguous float32 CPU vector of ", blocks * kLanes, " entries expected, got ", t.sizes());
}

// Row `row` of the blocked rows, as a contiguous vector.
std::vector<float> row_of(const Blocked& b, int64_t row) {
  std::vector<float> s(b.p);
  const float* block = b.data + (row / kLanes) * b.p * kLanes + row % kLanes;
  for (int64_t k = 0; k < b.p; ++k) s[k] = block[k * kLanes];
  return s;
}

}  // namespace

// 1 when this CPU runs the blocked coreset kernels (AVX-512), else 0.
UFM_EXPORT int ufm_coreset_kernels_available() { return has_avx512() ? 1 : 0; }

// The coreset's projection: rows x [N, D] times projection [P, D] transposed, [N, P] float32 (as
// F.linear), every output a float32 fused multiply-add chain over D in order, so a row's projection
// does not depend on the other rows it is projected with. CPU only.
UFM_EXPORT Handle ufm_coreset_project(Handle rows, Handle projection) {
  UFM_TENSOR(([&] {
    const at::Tensor x = rows->contiguous(), w = projection->contiguous();
    TORCH_CHECK(x.dim() == 2 && w.dim() == 2 && x.size(1) == w.size(1) && x.scalar_type() == at::kFloat &&
                    w.scalar_type() == at::kFloat && x.device().is_cpu() && w.device().is_cpu(),
                "coreset projection: float32 CPU rows [N, D] and projection [P, D] expected, got ", x.sizes(),
                " and ", w.sizes());
    const int64_t count = x.size(0), dim = x.size(1), outputs = w.size(0);
    at::Tensor out = at::empty({count, outputs}, x.options());
    if (has_avx512()) {
      const int64_t blocks = (outputs + 15) / 16;
      at::Tensor wt = at::zeros({dim, blocks * 16}, w.options());
      wt.narrow(1, 0, outputs).copy_(w.t());
      project_avx512(x.data_ptr<float>(), count, dim, wt.data_ptr<float>(), outputs, out.data_ptr<float>());
    } else {
      project_generic(x.data_ptr<float>(), count, dim, w.data_ptr<float>(), outputs, out.data_ptr<float>());
    }
    return out;
  }()))
}

// Rows [N, P] float32 written into the blocked layout `blocked` [⌈M/16⌉, P, 16] from row `first`
// (a multiple of 16). CPU only.
UFM_EXPORT int ufm_coreset_pack(Handle blocked, int64_t first, Handle rows) {
  UFM_STATUS({
    const Blocked b = check_blocked(*blocked, "coreset pack");
    const at::Tensor x = rows->contiguous();
    TORCH_CHECK(x.dim() == 2 && x.size(1) == b.p && x.scalar_type() == at::kFloat && x.device().is_cpu(),
                "coreset pack: rows [N, ", b.p, "] float32 expected, got ", x.sizes());
    TORCH_CHECK(first >= 0 && first % kLanes == 0 && first + x.size(0) <= b.blocks * kLanes,
                "coreset pack: rows [", first, ", ", first + x.size(0), ") do not fit ", b.blocks * kLanes);
    float* out = blocked->data_ptr<float>();
    const float* in = x.data_ptr<float>();
    const int64_t n = x.size(0), p = b.p;
    at::parallel_for(0, n, 1024, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        const int64_t r = first + i;
        float* block = out + (r / kLanes) * p * kLanes + r % kLanes;
        for (int64_t k = 0; k < p; ++k) block[k * kLanes] = in[i * p + k];
      }
    });
  })
}

// Per blocked row its |r|² and its start distance, the mean of its Euclidean distances to the
// start rows (as the picks compute them, summed in order over the starts, then divided by their
// count); padding rows (from `rows` on) get norm 0 and distance −inf, so no pick takes them.
// norms and distances: float32 [⌈M/16⌉·16], written. Needs AVX-512.
UFM_EXPORT int ufm_coreset_start(Handle blocked, int64_t rows, Handle starts, Handle norms, Handle distances) {
  UFM_STATUS({
    TORCH_CHECK(has_avx512(), "coreset: this CPU has no AVX-512");
    const Blocked b = check_blocked(*blocked, "coreset start");
    check_vector(*norms, b.blocks, "coreset start norms");
    check_vector(*distances, b.blocks, "coreset start distances");
    const at::Tensor st = starts->contiguous();
    TORCH_CHECK(st.dim() == 1 && st.size(0) >= 1 && st.scalar_type() == at::kLong && st.device().is_cpu(),
                "coreset start: start rows must be a non-empty int64 CPU vector");
    TORCH_CHECK(rows > (b.blocks - 1) * kLanes && rows <= b.blocks * kLanes, "coreset start: ", rows,
                " rows do not fill ", b.blocks, " blocks");
    float* n = norms->data_ptr<float>();
    float* d = distances->data_ptr<float>();
    at::parallel_for(0, b.blocks, 64, [&](int64_t begin, int64_t end) { block_norms(b.data, b.p, n, begin, end); });
    const int64_t* sd = st.data_ptr<int64_t>();
    std::vector<std::vector<float>> start_rows;
    std::vector<float> start_norms;
    for (int64_t i = 0; i < st.size(0); ++i) {
      TORCH_CHECK(sd[i] >= 0 && sd[i] < rows, "coreset start: start row ", sd[i], " outside [0, ", rows, ")");
      start_rows.push_back(row_of(b, sd[i]));
      start_norms.push_back(n[sd[i]]);
    }
    at::parallel_for(0, b.blocks, 64, [&](int64_t begin, int64_t end) {
      block_start_distances(b.data, b.p, n, start_rows, start_norms, d, begin, end);
    });
    for (int64_t r = rows; r < b.blocks * kLanes; ++r) {
      n[r] = 0;
      d[r] = -std::numeric_limits<float>::infinity();
    }
  })
}

// `count` greedy picks into selected[first .. first + count): each takes the row with the largest
// distance (torch.argmax: NaN first, then the first of equal values) and lowers every distance
// with the picked row, in one pass over the blocked rows that also finds the next pick. norms and
// distances as ufm_coreset_start leaves them (distances updated in place); selected int64. Needs
// AVX-512.
UFM_EXPORT int ufm_coreset_greedy(Handle blocked, Handle norms, Handle distances, Handle selected, int64_t first,
                                  int64_t count) {
  UFM_STATUS({
    TORCH_CHECK(has_avx512(), "coreset: this CPU has no AVX-512");
    const Blocked b = check_blocked(*blocked, "coreset greedy");
    check_vector(*norms, b.blocks, "coreset greedy norms");
    check_vector(*distances, b.blocks, "coreset greedy distances");
    at::Tensor& s = *selected;
    TORCH_CHECK(s.dim() == 1 && s.is_contiguous() && s.scalar_type() == at::kLong && s.device().is_cpu() &&
                    first >= 0 && count >= 0 && first + count <= s.size(0),
                "coreset greedy: picks [", first, ", ", first + count, ") do not fit the selection ", s.sizes());
    const float* n = norms->data_ptr<float>();
    float* d = distances->data_ptr<float>();
    int64_t* sd = s.data_ptr<int64_t>();
    Farthest next = over_parts(b.blocks, [&](int64_t begin, int64_t end) {
      return update_blocks(b.data, n, d, b.p, nullptr, 0, begin, end);
    });
    for (int64_t i = 0; i < count; ++i) {
      sd[first + i] = next.row;
      const std::vector<float> picked = row_of(b, next.row);
      const float picked_norm = n[next.row];
      next = over_parts(b.blocks, [&](int64_t begin, int64_t end) {
        return update_blocks(b.data, n, d, b.p, picked.data(), picked_norm, begin, end);
      });
    }
  })
}

// STREAM's kernels with 512-bit loads and stores, so that neither is limited by instruction
// throughput: a read-only sum of b[begin, end), split into 8 interleaved streams (one stream per core
// leaves this machine's bandwidth half used, as the picks' 4 blocks at a time do not), and the
// triad a = b + 3c.
UFM_AVX512 float read_avx512(const float* b, int64_t begin, int64_t end) {
  constexpr int kStreams = 8;
  const int64_t part = (end - begin) / kStreams / 16 * 16;
  __m512 acc[kStreams];
  for (int j = 0; j < kStreams; ++j) acc[j] = _mm512_setzero_ps();
  for (int64_t i = 0; i < part; i += 16)
    for (int j = 0; j < kStreams; ++j) acc[j] = _mm512_add_ps(acc[j], _mm512_loadu_ps(b + begin + j * part + i));
  alignas(64) float lanes[16];
  for (int j = 1; j < kStreams; ++j) acc[0] = _mm512_add_ps(acc[0], acc[j]);
  _mm512_store_ps(lanes, acc[0]);
  float sum = 0;
  for (float x : lanes) sum += x;
  for (int64_t i = begin + kStreams * part; i < end; ++i) sum += b[i];
  return sum;
}

UFM_AVX512 void triad_avx512(float* a, const float* b, const float* c, int64_t begin, int64_t end) {
  const __m512 three = _mm512_set1_ps(3.0f);
  int64_t i = begin;
  for (; i + 16 <= end; i += 16)
    _mm512_storeu_ps(a + i, _mm512_fmadd_ps(three, _mm512_loadu_ps(c + i), _mm512_loadu_ps(b + i)));
  for (; i < end; ++i) a[i] = b[i] + 3.0f * c[i];
}

float read_generic(const float* b, int64_t begin, int64_t end) {
  float s[8] = {};
  int64_t i = begin;
  for (; i + 8 <= end; i += 8)
    for (int j = 0; j < 8; ++j) s[j] += b[i + j];
  for (; i < end; ++i) s[0] += b[i];
  float sum = 0;
  for (float x : s) sum += x;
  return sum;
}

// Memory bandwidth like STREAM, at the current thread count, over three arrays of `bytes` each
// (far beyond the caches): the best of `repeats` of a read-only sum (8 streams per thread) and of
// the triad a = b + 3c, in GB/s (1e9 bytes; the triad counts 3 arrays, as STREAM does, not the
// write-allocate reads).
UFM_EXPORT int ufm_memory_bandwidth(int64_t bytes, int repeats, double* read_gbs, double* triad_gbs) {
  UFM_STATUS({
    TORCH_CHECK(bytes >= (1 << 20) && repeats >= 1, "memory bandwidth: at least 1 MiB and one repeat");
    const int64_t n = bytes / static_cast<int64_t>(sizeof(float));
    at::Tensor arrays = at::empty({3, n}, at::kFloat);
    float* a = arrays[0].data_ptr<float>();
    float* b = arrays[1].data_ptr<float>();
    float* c = arrays[2].data_ptr<float>();
    const int64_t grain = n / std::max(1, at::get_num_threads()) + 1;  // one contiguous part per thread
    at::parallel_for(0, n, grain, [&](int64_t begin, int64_t end) {  // first touch by the streaming threads
      for (int64_t i = begin; i < end; ++i) {
        a[i] = 1.0f;
        b[i] = 2.0f;
        c[i] = 0.5f;
      }
    });
    const bool avx512 = has_avx512();
    std::atomic<float> sink{0};
    double best_read = 0, best_triad = 0;
    for (int rep = 0; rep < repeats; ++rep) {
      auto start = std::chrono::steady_clock::now();
      at::parallel_for(0, n, grain, [&](int64_t begin, int64_t end) {
        const float sum = avx512 ? read_avx512(b, begin, end) : read_generic(b, begin, end);
        sink.store(sum, std::memory_order_relaxed);
      });
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      best_read = std::max(best_read, static_cast<double>(n) * sizeof(float) / seconds / 1e9);
      start = std::chrono::steady_clock::now();
      at::parallel_for(0, n, grain, [&](int64_t begin, int64_t end) {
        if (avx512) {
          triad_avx512(a, b, c, begin, end);
        } else {
          for (int64_t i = begin; i < end; ++i) a[i] = b[i] + 3.0f * c[i];
        }
      });
      seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      best_triad = std::max(best_triad, 3.0 * n * sizeof(float) / seconds / 1e9);
    }
    TORCH_CHECK(std::isfinite(sink.load()), "memory bandwidth: the read kernel summed a non-finite value");
    *read_gbs = best_read;
    *triad_gbs = best_triad;
  })
}

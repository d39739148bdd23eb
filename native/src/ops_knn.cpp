// The certified bfloat16 nearest-neighbour search on CPUs with AVX512-BF16 (see BFloat16Ranking.cs
// and docs/benchmarks.md): one fused pass computes the bfloat16 GEMM tile by tile in registers and
// keeps the k smallest values per query without writing the [Q, M] block, then the candidates are
// measured in float32. Other CPUs and CUDA take the generic tensor path on the managed side.
#include "bridge.h"

#include <c10/util/BFloat16.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <immintrin.h>
#include <limits>
#include <vector>

using ufm::Handle;

#define UFM_AVX512BF16 __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#define UFM_AVX512 __attribute__((target("avx512f")))

namespace {

// Bank rows per panel: two registers of 16 float32 lanes.
constexpr int64_t kPanelRows = 32;
// Queries per register tile: 2 x 14 accumulators + 2 bank registers + 1 broadcast = 31 of 32 zmm.
constexpr int64_t kTileQueries = 14;
// Panels per work item: 256 bank rows, ~400 KB at D = 768, stay in L2 while every query tile
// passes over them.
constexpr int64_t kBlockPanels = 8;

bool has_avx512() {
  static const bool ok = __builtin_cpu_supports("avx512f") != 0;
  return ok;
}

bool has_avx512_bf16() {
  static const bool ok = has_avx512() && __builtin_cpu_supports("avx512bw") &&
                         __builtin_cpu_supports("avx512vl") &&
                         __builtin_cpu_supports("avx512bf16");
  return ok;
}

uint16_t bits(c10::BFloat16 x) { return x.x; }

uint32_t pair_of(uint16_t low, uint16_t high) {
  return static_cast<uint32_t>(low) | (static_cast<uint32_t>(high) << 16);
}

// The running k smallest (value, row) per query of one worker; every value it dropped or never
// took is at least the largest it keeps (the query's bound), as a k-smallest selection must be.
struct Selection {
  Selection(int64_t queries, int64_t k)
      : k(k),
        values(queries * k, std::numeric_limits<float>::infinity()),
        rows(queries * k, -1),
        bound(queries, std::numeric_limits<float>::infinity()),
        worst(queries, 0) {}

  // Offers value x of bank row `row` to query q (strict <: NaN never enters).
  void offer(int64_t q, float x, int64_t row) {
    if (!(x < bound[q])) return;
    float* v = &values[q * k];
    int64_t w = worst[q];
    v[w] = x;
    rows[q * k + w] = row;
    w = 0;
    for (int64_t j = 1; j < k; ++j)
      if (v[j] > v[w]) w = j;
    worst[q] = w;
    bound[q] = v[w];
  }

  int64_t k;
  std::vector<float> values;
  std::vector<int64_t> rows;
  std::vector<float> bound;
  std::vector<int64_t> worst;
};

// acc[2i + h] = Σ_pairs a[kp][i] · b[kp][16h .. 16h + 15]: 14 queries x 32 bank rows, the sum over
// the augmented width in order, one vdpbf16ps per pair (two exact bfloat16 products, float32 adds).
UFM_AVX512BF16 inline void tile(const uint32_t* a, const uint32_t* b, int64_t pairs, __m512* acc) {
#pragma GCC unroll 28
  for (int i = 0; i < 2 * kTileQueries; ++i) acc[i] = _mm512_setzero_ps();
  for (int64_t p = 0; p < pairs; ++p) {
    const __m512bh b0 = (__m512bh)_mm512_loadu_si512(b + p * kPanelRows);
    const __m512bh b1 = (__m512bh)_mm512_loadu_si512(b + p * kPanelRows + 16);
#pragma GCC unroll 14
    for (int i = 0; i < kTileQueries; ++i) {
      const __m512bh ai = (__m512bh)_mm512_set1_epi32(static_cast<int>(a[p * kTileQueries + i]));
      acc[2 * i] = _mm512_dpbf16_ps(acc[2 * i], ai, b0);
      acc[2 * i + 1] = _mm512_dpbf16_ps(acc[2 * i + 1], ai, b1);
    }
  }
}

// Worker `worker`: takes block number `worker` first, then further blocks of panels from `next`
// (shared, starting at the worker count) until none is left, and runs every query tile over each.
// Taking blocks as they come keeps both cores busy when another process holds one for a while; the
// fixed first block gives every worker a share, so the merge is always exercised.
UFM_AVX512BF16 void rank_blocks(const uint32_t* queries, const uint32_t* panels, int64_t pairs,
                                int64_t query_count, int64_t bank_rows, int64_t worker,
                                std::atomic<int64_t>& next, Selection& selection) {
  const int64_t panel_count = (bank_rows + kPanelRows - 1) / kPanelRows;
  const int64_t tiles = (query_count + kTileQueries - 1) / kTileQueries;
  __m512 acc[2 * kTileQueries];
  alignas(64) float spill[kPanelRows];
  for (int64_t block = worker;; block = next.fetch_add(1)) {
    const int64_t first = block * kBlockPanels;
    if (first >= panel_count) return;
    const int64_t last = std::min(panel_count, first + kBlockPanels);
    for (int64_t t = 0; t < tiles; ++t) {
      const uint32_t* a = queries + t * pairs * kTileQueries;
      const int64_t in_tile = std::min(kTileQueries, query_count - t * kTileQueries);
      for (int64_t panel = first; panel < last; ++panel) {
        tile(a, panels + panel * pairs * kPanelRows, pairs, acc);
        const int64_t valid = std::min(kPanelRows, bank_rows - panel * kPanelRows);
        const uint32_t columns = valid == kPanelRows ? 0xFFFFFFFFu : (1u << valid) - 1;
        for (int64_t i = 0; i < in_tile; ++i) {
          const int64_t q = t * kTileQueries + i;
          const __m512 bound = _mm512_set1_ps(selection.bound[q]);
          uint32_t below = static_cast<uint32_t>(_mm512_cmp_ps_mask(acc[2 * i], bound, _CMP_LT_OQ)) |
                           (static_cast<uint32_t>(_mm512_cmp_ps_mask(acc[2 * i + 1], bound, _CMP_LT_OQ)) << 16);
          below &= columns;
          if (below == 0) continue;  // the common case once the selection has filled
          _mm512_store_ps(spill, acc[2 * i]);
          _mm512_store_ps(spill + 16, acc[2 * i + 1]);
          for (; below != 0; below &= below - 1) {
            const int c = __builtin_ctz(below);
            selection.offer(q, spill[c], panel * kPanelRows + c);
          }
        }
      }
    }
  }
}

// Queries [Q, D] float32 as the kernel's tiles [tiles, pairs, 14] of bfloat16 pairs of the augmented
// row [−2·bf16(q), 1, 1] (zero past the end), and per query |q̃|² and |q − q̃|² in float64 (q̃ = bf16(q)).
void pack_queries(const at::Tensor& q, int64_t pairs, std::vector<uint32_t>& packed,
                  at::Tensor& rounding) {
  const int64_t count = q.size(0), dim = q.size(1);
  const int64_t tiles = (count + kTileQueries - 1) / kTileQueries;
  packed.assign(tiles * pairs * kTileQueries, 0);
  const float* data = q.data_ptr<float>();
  double* stats = rounding.data_ptr<double>();
  const uint16_t one = bits(c10::BFloat16(1.0f));
  at::parallel_for(0, count, 16, [&](int64_t begin, int64_t end) {
    std::vector<uint16_t> row(2 * pairs, 0);
    for (int64_t r = begin; r < end; ++r) {
      double norm = 0, error = 0;
      for (int64_t d = 0; d < dim; ++d) {
        const float x = data[r * dim + d];
        const float rounded = static_cast<float>(c10::BFloat16(x));
        row[d] = bits(c10::BFloat16(-2.0f * rounded));  // exact: a power-of-two scaling
        norm += static_cast<double>(rounded) * rounded;
        const double e = static_cast<double>(x) - rounded;
        error += e * e;
      }
      row[dim] = one;
      row[dim + 1] = one;
      stats[2 * r] = norm;
      stats[2 * r + 1] = error;
      uint32_t* tile = packed.data() + (r / kTileQueries) * pairs * kTileQueries + r % kTileQueries;
      for (int64_t p = 0; p < pairs; ++p) tile[p * kTileQueries] = pair_of(row[2 * p], row[2 * p + 1]);
    }
  });
}

// The k smallest (value, row) of every worker's selection, per query, ascending; ties to the lower row.
void merge(const std::vector<Selection>& selections, int64_t k, at::Tensor& values,
           at::Tensor& rows) {
  const int64_t queries = values.size(0);
  float* v = values.data_ptr<float>();
  int64_t* r = rows.data_ptr<int64_t>();
  at::parallel_for(0, queries, 64, [&](int64_t begin, int64_t end) {
    std::vector<std::pair<float, int64_t>> all;
    for (int64_t q = begin; q < end; ++q) {
      all.clear();
      for (const auto& s : selections)
        for (int64_t j = 0; j < k; ++j)
          if (s.rows[q * k + j] >= 0) all.emplace_back(s.values[q * k + j], s.rows[q * k + j]);
      const auto taken = std::min<int64_t>(k, static_cast<int64_t>(all.size()));
      std::partial_sort(all.begin(), all.begin() + taken, all.end());
      for (int64_t j = 0; j < k; ++j) {
        v[q * k + j] = j < taken ? all[j].first : std::numeric_limits<float>::infinity();
        r[q * k + j] = j < taken ? all[j].second : -1;
      }
    }
  });
}

// Σ (q − b)² in float32: 64 partial sums (four 16-lane accumulators) added pairwise at the end,
// so every term passes through at most D/64 + 6 float32 additions.
UFM_AVX512 float squared_distance_avx512(const float* q, const float* b, int64_t dim) {
  __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
  int64_t d = 0;
  for (; d + 64 <= dim; d += 64)
    for (int j = 0; j < 4; ++j) {
      const __m512 diff = _mm512_sub_ps(_mm512_loadu_ps(q + d + 16 * j), _mm512_loadu_ps(b + d + 16 * j));
      acc[j] = _mm512_fmadd_ps(diff, diff, acc[j]);
    }
  for (int j = 0; d < dim; d += 16, ++j) {
    const __mmask16 m = dim - d >= 16 ? 0xFFFF : static_cast<__mmask16>((1u << (dim - d)) - 1);
    const __m512 diff = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, q + d), _mm512_maskz_loadu_ps(m, b + d));
    acc[j] = _mm512_fmadd_ps(diff, diff, acc[j]);
  }
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, _mm512_add_ps(_mm512_add_ps(acc[0], acc[1]), _mm512_add_ps(acc[2], acc[3])));
  for (int width = 8; width >= 1; width /= 2)
    for (int j = 0; j < width; ++j) lanes[j] += lanes[j + width];
  return lanes[0];
}

float squared_distance(const float* q, const float* b, int64_t dim) {
  if (has_avx512()) return squared_distance_avx512(q, b, dim);
  float sum = 0;
  for (int64_t d = 0; d < dim; ++d) sum += (q[d] - b[d]) * (q[d] - b[d]);
  return sum;
}

// Orders measured candidates: by distance (NaN last), then by row.
bool nearer(const std::pair<float, int64_t>& a, const std::pair<float, int64_t>& b) {
  const bool a_nan = std::isnan(a.first), b_nan = std::isnan(b.first);
  if (a_nan != b_nan) return b_nan;
  if (!a_nan && a.first != b.first) return a.first < b.first;
  return a.second < b.second;
}

}  // namespace

// 1 when this CPU runs the fused bfloat16 ranking (AVX512-BF16), else 0.
UFM_EXPORT int ufm_bf16_ranking_available() { return has_avx512_bf16() ? 1 : 0; }

// The augmented bfloat16 bank [M, K] laid out for the fused ranking: [⌈M/32⌉, ⌈K/2⌉, 32, 2],
// panel p holding rows 32p .. 32p + 31 pair by pair, zero past the ends.
UFM_EXPORT Handle ufm_bf16_ranking_panels(Handle augmented) {
  UFM_TENSOR(([&] {
    const at::Tensor& a = *augmented;
    TORCH_CHECK(a.dim() == 2 && a.scalar_type() == at::kBFloat16 && a.device().is_cpu(),
                "bf16 ranking panels: the bank must be a bfloat16 CPU matrix, got ", a.sizes(), " ",
                a.scalar_type(), " on ", a.device());
    const at::Tensor bank = a.contiguous();
    const int64_t rows = bank.size(0), width = bank.size(1), pairs = (width + 1) / 2;
    const int64_t panels = (rows + kPanelRows - 1) / kPanelRows;
    at::Tensor out = at::zeros({panels, pairs, kPanelRows, 2}, a.options());
    const uint16_t* source = reinterpret_cast<const uint16_t*>(bank.data_ptr<at::BFloat16>());
    uint16_t* target = reinterpret_cast<uint16_t*>(out.data_ptr<at::BFloat16>());
    at::parallel_for(0, panels, 1, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p)
        for (int64_t r = p * kPanelRows; r < std::min(rows, (p + 1) * kPanelRows); ++r)
          for (int64_t c = 0; c < width; ++c)
            target[((p * pairs + c / 2) * kPanelRows + r % kPanelRows) * 2 + c % 2] = source[r * width + c];
    });
    return out;
  }()))
}

// Per query of `queries` [Q, D] float32 the k bank rows with the smallest float32 accumulation of
// |b̃|² − 2q̃·b̃ over the panels of a bank of `bank_rows` rows (augmented width D + 2): values [Q, k]
// float32 and rows [Q, k] int64, ascending (ties to the lower row; +inf and -1 where the bank has
// fewer usable rows), every row left out at least the largest value kept; and rounding [Q, 2]
// float64: |q̃|² and |q − q̃|², q̃ = bf16(q). Parallel over blocks of bank rows.
UFM_EXPORT int ufm_bf16_ranking_smallest(Handle panels, int64_t bank_rows, Handle queries, int64_t k,
                                         Handle* values, Handle* rows, Handle* rounding) {
  UFM_GUARDED(-1, {
    TORCH_CHECK(has_avx512_bf16(), "bf16 ranking: this CPU has no AVX512-BF16");
    const at::Tensor& b = *panels;
    const at::Tensor q = queries->contiguous();
    TORCH_CHECK(q.dim() == 2 && q.scalar_type() == at::kFloat && q.device().is_cpu(),
                "bf16 ranking: queries must be a float32 CPU matrix");
    TORCH_CHECK(b.dim() == 4 && b.is_contiguous() && b.scalar_type() == at::kBFloat16 &&
                    b.size(2) == kPanelRows && b.size(3) == 2 &&
                    b.size(0) == (bank_rows + kPanelRows - 1) / kPanelRows && b.size(1) == (q.size(1) + 3) / 2,
                "bf16 ranking: panels ", b.sizes(), " do not hold ", bank_rows, " rows of width ",
                q.size(1), " + 2");
    TORCH_CHECK(k >= 1, "bf16 ranking: k must be at least 1");
    const int64_t count = q.size(0), pairs = b.size(1);
    at::Tensor stats = at::empty({count, 2}, q.options().dtype(at::kDouble));
    std::vector<uint32_t> packed;
    pack_queries(q, pairs, packed, stats);
    const int64_t blocks = (b.size(0) + kBlockPanels - 1) / kBlockPanels;
    const int64_t workers = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), blocks));
    std::vector<Selection> selections(workers, Selection(count, k));
    std::atomic<int64_t> next{workers};
    const uint32_t* bank = reinterpret_cast<const uint32_t*>(b.data_ptr<at::BFloat16>());
    at::parallel_for(0, workers, 1, [&](int64_t begin, int64_t end) {
      for (int64_t w = begin; w < end; ++w)
        rank_blocks(packed.data(), bank, pairs, count, bank_rows, w, next, selections[w]);
    });
    at::Tensor v = at::empty({count, k}, q.options());
    at::Tensor r = at::empty({count, k}, q.options().dtype(at::kLong));
    merge(selections, k, v, r);
    *values = ufm::wrap(v);
    *rows = ufm::wrap(r);
    *rounding = ufm::wrap(stats);
    return 0;
  })
}

// The n nearest of each query's candidate bank rows by float32 Σ(q − b)²: distances [Q, n] float32
// and rows [Q, n] int64, ascending, equal distances to the lower row, NaN last; a candidate -1
// (none) counts as +inf. bank [M, D] and queries [Q, D] float32, candidates [Q, C] int64, on the CPU.
UFM_EXPORT int ufm_nearest_candidates(Handle bank, Handle queries, Handle candidates, int64_t n,
                                      Handle* distances, Handle* rows) {
  UFM_GUARDED(-1, {
    const at::Tensor b = bank->contiguous(), q = queries->contiguous(), c = candidates->contiguous();
    TORCH_CHECK(b.dim() == 2 && q.dim() == 2 && c.dim() == 2 && b.size(1) == q.size(1) &&
                    c.size(0) == q.size(0),
                "nearest candidates: bank [M, D], queries [Q, D] and candidates [Q, C] expected, got ",
                b.sizes(), ", ", q.sizes(), " and ", c.sizes());
    TORCH_CHECK(b.scalar_type() == at::kFloat && q.scalar_type() == at::kFloat &&
                    c.scalar_type() == at::kLong,
                "nearest candidates: bank and queries must be float32, candidates int64");
    TORCH_CHECK(b.device().is_cpu() && q.device().is_cpu() && c.device().is_cpu(),
                "nearest candidates: CPU tensors only");
    TORCH_CHECK(n >= 1 && n <= c.size(1), "nearest candidates: n must be in [1, ", c.size(1), "]");
    const int64_t count = q.size(0), width = c.size(1), dim = q.size(1), bank_rows = b.size(0);
    at::Tensor d = at::empty({count, n}, q.options());
    at::Tensor r = at::empty({count, n}, c.options());
    const float* bd = b.data_ptr<float>();
    const float* qd = q.data_ptr<float>();
    const int64_t* cd = c.data_ptr<int64_t>();
    float* dd = d.data_ptr<float>();
    int64_t* rd = r.data_ptr<int64_t>();
    at::parallel_for(0, count, 16, [&](int64_t begin, int64_t end) {
      std::vector<std::pair<float, int64_t>> measured(width);
      for (int64_t i = begin; i < end; ++i) {
        for (int64_t j = 0; j < width; ++j) {
          const int64_t row = cd[i * width + j];
          TORCH_CHECK(row >= -1 && row < bank_rows, "nearest candidates: row ", row, " outside the bank");
          measured[j] = {row < 0 ? std::numeric_limits<float>::infinity()
                                 : squared_distance(qd + i * dim, bd + row * dim, dim),
                         row};
        }
        std::partial_sort(measured.begin(), measured.begin() + n, measured.end(), nearer);
        for (int64_t j = 0; j < n; ++j) {
          dd[i * n + j] = measured[j].first;
          rd[i * n + j] = measured[j].second;
        }
      }
    });
    *distances = ufm::wrap(d);
    *rows = ufm::wrap(r);
    return 0;
  })
}

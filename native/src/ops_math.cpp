// Elementwise arithmetic (broadcasting), comparisons, selection and reductions.
#include "bridge.h"

using ufm::Handle;

// Scalars cross the ABI as a double plus a flag; integral scalars must stay integral so that
// integer tensors keep their dtype (int64 + 1 is int64, int64 + 1.0 is float).
static at::Scalar scalar(double value, int is_integral) {
  return is_integral ? at::Scalar(static_cast<int64_t>(value)) : at::Scalar(value);
}

#define UNARY(name, expr) \
  UFM_EXPORT Handle ufm_##name(Handle a) { UFM_TENSOR(expr) }
#define BINARY(name, fn) \
  UFM_EXPORT Handle ufm_##name(Handle a, Handle b) { UFM_TENSOR(fn(*a, *b)) }
#define BINARY_SCALAR(name, fn)                                     \
  UFM_EXPORT Handle ufm_##name##_scalar(Handle a, double s, int si) { \
    UFM_TENSOR(fn(*a, scalar(s, si)))                               \
  }

UNARY(neg, at::neg(*a))
UNARY(abs, at::abs(*a))
UNARY(sqrt, at::sqrt(*a))
UNARY(rsqrt, at::rsqrt(*a))
UNARY(exp, at::exp(*a))
UNARY(log, at::log(*a))
UNARY(erf, at::erf(*a))
UNARY(tanh, at::tanh(*a))
UNARY(sigmoid, at::sigmoid(*a))
UNARY(silu, at::silu(*a))
UNARY(sin, at::sin(*a))
UNARY(cos, at::cos(*a))
UNARY(relu, at::relu(*a))
UNARY(floor, at::floor(*a))
UNARY(ceil, at::ceil(*a))
UNARY(round, at::round(*a))
UNARY(logical_not, at::logical_not(*a))
UNARY(isnan, at::isnan(*a))

BINARY(add, at::add)
BINARY(sub, at::sub)
BINARY(mul, at::mul)
BINARY(div, at::div)
BINARY(pow, at::pow)
BINARY(maximum, at::maximum)
BINARY(minimum, at::minimum)
BINARY(remainder, at::remainder)
BINARY(eq, at::eq)
BINARY(ne, at::ne)
BINARY(lt, at::lt)
BINARY(le, at::le)
BINARY(gt, at::gt)
BINARY(ge, at::ge)
BINARY(logical_and, at::logical_and)
BINARY(logical_or, at::logical_or)

BINARY_SCALAR(add, at::add)
BINARY_SCALAR(sub, at::sub)
BINARY_SCALAR(mul, at::mul)
BINARY_SCALAR(div, at::div)
BINARY_SCALAR(pow, at::pow)
BINARY_SCALAR(remainder, at::remainder)
BINARY_SCALAR(eq, at::eq)
BINARY_SCALAR(ne, at::ne)
BINARY_SCALAR(lt, at::lt)
BINARY_SCALAR(le, at::le)
BINARY_SCALAR(gt, at::gt)
BINARY_SCALAR(ge, at::ge)

// scalar - tensor and scalar / tensor, for C# operators with the scalar on the left.
UFM_EXPORT Handle ufm_rsub_scalar(Handle a, double s, int si) { UFM_TENSOR(at::rsub(*a, scalar(s, si))) }
UFM_EXPORT Handle ufm_rdiv_scalar(Handle a, double s, int si) {
  UFM_TENSOR(at::div(at::scalar_tensor(scalar(s, si), a->options()), *a))
}

// Bounds are optional: NaN means "no bound on this side".
UFM_EXPORT Handle ufm_clamp(Handle a, double lo, double hi) {
  UFM_GUARDED(nullptr, {
    c10::optional<at::Scalar> l, h;
    if (!std::isnan(lo)) l = at::Scalar(lo);
    if (!std::isnan(hi)) h = at::Scalar(hi);
    return ufm::wrap(at::clamp(*a, l, h));
  })
}

UFM_EXPORT Handle ufm_where(Handle cond, Handle a, Handle b) { UFM_TENSOR(at::where(*cond, *a, *b)) }
UFM_EXPORT Handle ufm_masked_fill(Handle a, Handle mask, double value) {
  UFM_TENSOR(a->masked_fill(*mask, value))
}

// Linear algebra.
BINARY(matmul, at::matmul)
BINARY(mm, at::mm)
BINARY(bmm, at::bmm)
UFM_EXPORT Handle ufm_addmm(Handle input, Handle m1, Handle m2, double beta, double alpha) {
  UFM_TENSOR(at::addmm(*input, *m1, *m2, beta, alpha))
}

// ---- reductions ----------------------------------------------------------------------------

UFM_EXPORT Handle ufm_sum_all(Handle a) { UFM_TENSOR(at::sum(*a)) }
UFM_EXPORT Handle ufm_mean_all(Handle a) { UFM_TENSOR(at::mean(*a)) }
UFM_EXPORT Handle ufm_max_all(Handle a) { UFM_TENSOR(at::max(*a)) }
UFM_EXPORT Handle ufm_min_all(Handle a) { UFM_TENSOR(at::min(*a)) }
UFM_EXPORT Handle ufm_sum(Handle a, const int64_t* d, int n, int keepdim) {
  UFM_TENSOR(at::sum(*a, ufm::dims(d, n), keepdim != 0))
}
UFM_EXPORT Handle ufm_mean(Handle a, const int64_t* d, int n, int keepdim) {
  UFM_TENSOR(at::mean(*a, ufm::dims(d, n), keepdim != 0))
}
UFM_EXPORT Handle ufm_cumsum(Handle a, int64_t dim) { UFM_TENSOR(at::cumsum(*a, dim)) }
UFM_EXPORT Handle ufm_argmax(Handle a, int64_t dim, int keepdim) {
  UFM_TENSOR(at::argmax(*a, dim, keepdim != 0))
}
UFM_EXPORT Handle ufm_argmin(Handle a, int64_t dim, int keepdim) {
  UFM_TENSOR(at::argmin(*a, dim, keepdim != 0))
}

// Two results: written to the out-pointers only after the op succeeded, so a failure leaks
// nothing and leaves both null.
static int pair(std::tuple<at::Tensor, at::Tensor> r, Handle* values, Handle* indices) {
  *values = ufm::wrap(std::get<0>(r));
  *indices = ufm::wrap(std::get<1>(r));
  return 0;
}

UFM_EXPORT int ufm_max_dim(Handle a, int64_t dim, int keepdim, Handle* v, Handle* i) {
  UFM_GUARDED(-1, { return pair(at::max(*a, dim, keepdim != 0), v, i); })
}
UFM_EXPORT int ufm_min_dim(Handle a, int64_t dim, int keepdim, Handle* v, Handle* i) {
  UFM_GUARDED(-1, { return pair(at::min(*a, dim, keepdim != 0), v, i); })
}
UFM_EXPORT int ufm_topk(Handle a, int64_t k, int64_t dim, int largest, int sorted, Handle* v,
                        Handle* i) {
  UFM_GUARDED(-1, { return pair(at::topk(*a, k, dim, largest != 0, sorted != 0), v, i); })
}
UFM_EXPORT int ufm_sort(Handle a, int64_t dim, int descending, int stable, Handle* v, Handle* i) {
  UFM_GUARDED(-1, {
    return pair(at::sort(*a, c10::optional<bool>(stable != 0), dim, descending != 0), v, i);
  })
}

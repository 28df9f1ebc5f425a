// Reductions, sorting and scans.
#include "shim.h"

SHIM_API TH shim_sum(TH t, int32_t dtype) { SHIM_TENSOR(at::sum(*t, opt_dtype(dtype))) }
SHIM_API TH shim_sum_dims(TH t, const int64_t* d, int32_t n, int32_t keepdim, int32_t dtype) {
  SHIM_TENSOR(at::sum(*t, dims(d, n), keepdim != 0, opt_dtype(dtype)))
}
SHIM_API TH shim_mean(TH t, int32_t dtype) { SHIM_TENSOR(at::mean(*t, opt_dtype(dtype))) }
SHIM_API TH shim_mean_dims(TH t, const int64_t* d, int32_t n, int32_t keepdim, int32_t dtype) {
  SHIM_TENSOR(at::mean(*t, dims(d, n), keepdim != 0, opt_dtype(dtype)))
}
SHIM_API TH shim_prod(TH t, int32_t dtype) { SHIM_TENSOR(at::prod(*t, opt_dtype(dtype))) }
SHIM_API TH shim_prod_dim(TH t, int64_t dim, int32_t keepdim, int32_t dtype) {
  SHIM_TENSOR(at::prod(*t, dim, keepdim != 0, opt_dtype(dtype)))
}
// kind: 0 max, 1 min, 2 all, 3 any, 4 argmax, 5 argmin
SHIM_API TH shim_reduce_all(TH t, int32_t kind) {
  SHIM_TENSOR(([&] {
    switch (kind) {
      case 0: return at::max(*t);
      case 1: return at::min(*t);
      case 2: return at::all(*t);
      case 3: return at::any(*t);
      case 4: return at::argmax(*t);
      default: return at::argmin(*t);
    }
  }()))
}
// kind: 2 all, 3 any, 4 argmax, 5 argmin along one dimension
SHIM_API TH shim_reduce_dim(TH t, int32_t kind, int64_t dim, int32_t keepdim) {
  SHIM_TENSOR(([&] {
    bool k = keepdim != 0;
    switch (kind) {
      case 2: return at::all(*t, dim, k);
      case 3: return at::any(*t, dim, k);
      case 4: return at::argmax(*t, dim, k);
      default: return at::argmin(*t, dim, k);
    }
  }()))
}
// max/min along a dimension with indices: kind 0 max, 1 min.
SHIM_API TH shim_max_min_dim(TH t, int32_t kind, int64_t dim, int32_t keepdim, TH* indices) {
  SHIM_TRY(nullptr, {
    auto r = kind == 0 ? at::max(*t, dim, keepdim != 0) : at::min(*t, dim, keepdim != 0);
    *indices = wrap(std::get<1>(r));
    return wrap(std::get<0>(r));
  })
}
// min and max in one pass; over everything unless has_dim.
SHIM_API TH shim_aminmax(TH t, int64_t dim, int32_t has_dim, int32_t keepdim, TH* max) {
  SHIM_TRY(nullptr, {
    auto r = has_dim != 0 ? at::aminmax(*t, dim, keepdim != 0) : at::aminmax(*t);
    *max = wrap(std::get<1>(r));
    return wrap(std::get<0>(r));
  })
}
// kind 0 amax, 1 amin
SHIM_API TH shim_amax_amin(TH t, int32_t kind, const int64_t* d, int32_t n, int32_t keepdim) {
  SHIM_TENSOR(kind == 0 ? at::amax(*t, dims(d, n), keepdim != 0) : at::amin(*t, dims(d, n), keepdim != 0))
}
SHIM_API TH shim_norm(TH t, double p) { SHIM_TENSOR(at::norm(*t, p)) }
SHIM_API TH shim_norm_dim(TH t, int64_t dim, int32_t keepdim, double p) {
  SHIM_TENSOR(at::norm(*t, p, at::IntArrayRef(&dim, 1), keepdim != 0))
}
SHIM_API TH shim_logsumexp(TH t, int64_t dim, int32_t keepdim) {
  SHIM_TENSOR(at::logsumexp(*t, at::IntArrayRef(&dim, 1), keepdim != 0))
}
SHIM_API TH shim_cumsum(TH t, int64_t dim, int32_t dtype) { SHIM_TENSOR(at::cumsum(*t, dim, opt_dtype(dtype))) }
SHIM_API TH shim_cumprod(TH t, int64_t dim, int32_t dtype) { SHIM_TENSOR(at::cumprod(*t, dim, opt_dtype(dtype))) }

SHIM_API TH shim_sort(TH t, int64_t dim, int32_t descending, int32_t stable, TH* indices) {
  SHIM_TRY(nullptr, {
    auto r = at::sort(*t, stable != 0, dim, descending != 0);
    *indices = wrap(std::get<1>(r));
    return wrap(std::get<0>(r));
  })
}
SHIM_API TH shim_argsort(TH t, int64_t dim, int32_t descending) { SHIM_TENSOR(at::argsort(*t, dim, descending != 0)) }
SHIM_API TH shim_topk(TH t, int64_t k, int64_t dim, int32_t largest, int32_t sorted, TH* indices) {
  SHIM_TRY(nullptr, {
    auto r = at::topk(*t, k, dim, largest != 0, sorted != 0);
    *indices = wrap(std::get<1>(r));
    return wrap(std::get<0>(r));
  })
}
SHIM_API TH shim_bincount(TH t, TH weights, int64_t minlength) {
  SHIM_TENSOR(at::bincount(*t, weights ? c10::optional<at::Tensor>(*weights) : c10::nullopt, minlength))
}
SHIM_API TH shim_unique(TH t, int32_t sorted, int32_t return_inverse, int32_t return_counts, TH* inverse, TH* counts) {
  SHIM_TRY(nullptr, {
    auto r = at::_unique2(*t, sorted != 0, return_inverse != 0, return_counts != 0);
    *inverse = return_inverse ? wrap(std::get<1>(r)) : nullptr;
    *counts = return_counts ? wrap(std::get<2>(r)) : nullptr;
    return wrap(std::get<0>(r));
  })
}

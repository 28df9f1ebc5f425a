// Shape manipulation, joining, indexing, gather/scatter and masking.
#include "shim.h"

using at::indexing::Slice;

SHIM_API TH shim_reshape(TH t, const int64_t* s, int32_t n) { SHIM_TENSOR(t->reshape(dims(s, n))) }
SHIM_API TH shim_view(TH t, const int64_t* s, int32_t n) { SHIM_TENSOR(t->view(dims(s, n))) }
SHIM_API TH shim_permute(TH t, const int64_t* s, int32_t n) { SHIM_TENSOR(t->permute(dims(s, n))) }
SHIM_API TH shim_expand(TH t, const int64_t* s, int32_t n, int32_t implicit) { SHIM_TENSOR(t->expand(dims(s, n), implicit != 0)) }
SHIM_API TH shim_repeat(TH t, const int64_t* s, int32_t n) { SHIM_TENSOR(t->repeat(dims(s, n))) }
SHIM_API TH shim_flip(TH t, const int64_t* s, int32_t n) { SHIM_TENSOR(t->flip(dims(s, n))) }
SHIM_API TH shim_transpose(TH t, int64_t a, int64_t b) { SHIM_TENSOR(t->transpose(a, b)) }
SHIM_API TH shim_unsqueeze(TH t, int64_t d) { SHIM_TENSOR(t->unsqueeze(d)) }
SHIM_API TH shim_squeeze(TH t, int32_t has_dim, int64_t d) { SHIM_TENSOR(has_dim ? t->squeeze(d) : t->squeeze()) }
SHIM_API TH shim_flatten(TH t, int64_t start, int64_t end) { SHIM_TENSOR(t->flatten(start, end)) }
SHIM_API TH shim_unflatten(TH t, int64_t dim, const int64_t* s, int32_t n) { SHIM_TENSOR(t->unflatten(dim, dims(s, n))) }
SHIM_API TH shim_narrow(TH t, int64_t dim, int64_t start, int64_t length) { SHIM_TENSOR(t->narrow(dim, start, length)) }
SHIM_API TH shim_select(TH t, int64_t dim, int64_t index) { SHIM_TENSOR(t->select(dim, index)) }
SHIM_API TH shim_roll(TH t, int64_t shifts, int32_t has_dim, int64_t dim) {
  SHIM_TENSOR(has_dim ? t->roll(at::IntArrayRef(&shifts, 1), at::IntArrayRef(&dim, 1)) : t->roll(at::IntArrayRef(&shifts, 1)))
}

static int64_t emit(const std::vector<at::Tensor>& parts, TH* out, int64_t capacity) {
  TORCH_CHECK(static_cast<int64_t>(parts.size()) <= capacity, "internal: result holds ", parts.size(), " tensors, room for ", capacity);
  for (size_t i = 0; i < parts.size(); i++) out[i] = wrap(parts[i]);
  return static_cast<int64_t>(parts.size());
}
// kind 0: split by size, 1: chunk into count, 2: unbind. Returns how many handles were written.
SHIM_API int64_t shim_split(TH t, int32_t kind, int64_t arg, int64_t dim, TH* out, int64_t capacity) {
  SHIM_TRY(-1, {
    switch (kind) {
      case 0: return emit(t->split(arg, dim), out, capacity);
      case 1: return emit(t->chunk(arg, dim), out, capacity);
      default: return emit(t->unbind(dim), out, capacity);
    }
  })
}

static std::vector<at::Tensor> list(const TH* ts, int32_t n) {
  std::vector<at::Tensor> v;
  v.reserve(n);
  for (int32_t i = 0; i < n; i++) v.push_back(*ts[i]);
  return v;
}
SHIM_API TH shim_cat(const TH* ts, int32_t n, int64_t dim) { SHIM_TENSOR(at::cat(list(ts, n), dim)) }
SHIM_API TH shim_stack(const TH* ts, int32_t n, int64_t dim) { SHIM_TENSOR(at::stack(list(ts, n), dim)) }

// Index specifications, matching the managed TensorIndex kinds:
// 0 single(start), 1 slice(start?, stop?, step?), 2 ellipsis, 3 none, 4 bool(start != 0), 5 tensor.
// has bits: 1 start, 2 stop, 4 step.
static std::vector<at::indexing::TensorIndex> indices(const int32_t* kinds, const int32_t* has, const int64_t* starts,
                                                      const int64_t* stops, const int64_t* steps, const TH* tensors,
                                                      int32_t n) {
  std::vector<at::indexing::TensorIndex> v;
  v.reserve(n);
  for (int32_t i = 0; i < n; i++) {
    switch (kinds[i]) {
      case 0: v.emplace_back(starts[i]); break;
      case 1: {
        c10::optional<c10::SymInt> a, b, c;
        v.emplace_back(Slice(has[i] & 1 ? c10::optional<int64_t>(starts[i]) : c10::nullopt,
                             has[i] & 2 ? c10::optional<int64_t>(stops[i]) : c10::nullopt,
                             has[i] & 4 ? c10::optional<int64_t>(steps[i]) : c10::nullopt));
        break;
      }
      case 2: v.emplace_back(at::indexing::Ellipsis); break;
      case 3: v.emplace_back(at::indexing::None); break;
      case 4: v.emplace_back(starts[i] != 0); break;
      default: v.emplace_back(*tensors[i]); break;
    }
  }
  return v;
}
SHIM_API TH shim_index(TH t, const int32_t* kinds, const int32_t* has, const int64_t* starts, const int64_t* stops,
                       const int64_t* steps, const TH* tensors, int32_t n) {
  SHIM_TENSOR(t->index(indices(kinds, has, starts, stops, steps, tensors, n)))
}
SHIM_API void shim_index_put_(TH t, TH value, const int32_t* kinds, const int32_t* has, const int64_t* starts,
                              const int64_t* stops, const int64_t* steps, const TH* tensors, int32_t n) {
  SHIM_VOID(t->index_put_(indices(kinds, has, starts, stops, steps, tensors, n), *value))
}
SHIM_API void shim_index_put_scalar_(TH t, ShimScalar value, const int32_t* kinds, const int32_t* has,
                                     const int64_t* starts, const int64_t* stops, const int64_t* steps,
                                     const TH* tensors, int32_t n) {
  SHIM_VOID(t->index_put_(indices(kinds, has, starts, stops, steps, tensors, n), to_scalar(value)))
}
SHIM_API void shim_index_put_accumulate_(TH t, TH value, const TH* tensors, int32_t n, int32_t accumulate) {
  SHIM_VOID(({
    c10::List<c10::optional<at::Tensor>> l;
    for (int32_t i = 0; i < n; i++) l.push_back(*tensors[i]);
    t->index_put_(l, *value, accumulate != 0);
  }))
}

SHIM_API TH shim_gather(TH t, int64_t dim, TH index) { SHIM_TENSOR(at::gather(*t, dim, *index)) }
SHIM_API TH shim_take_along_dim(TH t, TH index, int64_t dim) { SHIM_TENSOR(at::take_along_dim(*t, *index, dim)) }
// kind 0 scatter, 1 scatter_add
SHIM_API TH shim_scatter(TH t, int32_t kind, int64_t dim, TH index, TH src) {
  SHIM_TENSOR(kind == 0 ? at::scatter(*t, dim, *index, *src) : at::scatter_add(*t, dim, *index, *src))
}
SHIM_API void shim_scatter_(TH t, int32_t kind, int64_t dim, TH index, TH src) {
  SHIM_VOID(kind == 0 ? (void)t->scatter_(dim, *index, *src) : (void)t->scatter_add_(dim, *index, *src))
}
SHIM_API TH shim_index_select(TH t, int64_t dim, TH index) { SHIM_TENSOR(at::index_select(*t, dim, *index)) }
SHIM_API TH shim_index_fill(TH t, int64_t dim, TH index, ShimScalar v) { SHIM_TENSOR(at::index_fill(*t, dim, *index, to_scalar(v))) }
SHIM_API TH shim_index_add(TH t, int64_t dim, TH index, TH src, ShimScalar alpha) {
  SHIM_TENSOR(at::index_add(*t, dim, *index, *src, to_scalar(alpha)))
}
// libtorch 1.13 reads a non-bool mask's bytes as if it were uint8 (a float mask silently fills nothing);
// newer libtorch, which TorchSharp binds, rejects it. Check here so both behave the same.
static const at::Tensor& bool_mask(const at::Tensor& mask) {
  TORCH_CHECK(mask.scalar_type() == at::kBool, "masked_fill_ only supports boolean masks, but got mask with dtype ",
              mask.scalar_type());
  return mask;
}
SHIM_API TH shim_masked_fill(TH t, TH mask, ShimScalar v) { SHIM_TENSOR(at::masked_fill(*t, bool_mask(*mask), to_scalar(v))) }
SHIM_API void shim_masked_fill_(TH t, TH mask, ShimScalar v) { SHIM_VOID(t->masked_fill_(bool_mask(*mask), to_scalar(v))) }
SHIM_API TH shim_masked_select(TH t, TH mask) { SHIM_TENSOR(at::masked_select(*t, *mask)) }
SHIM_API TH shim_nonzero(TH t) { SHIM_TENSOR(at::nonzero(*t)) }

// Tensor lifetime, metadata, creation, conversion and reading values back.
#include "shim.h"
#include <ATen/Parallel.h>
#include <cstring>

// ATen's factories reject TensorOptions with requires_grad set ("not implemented yet"), so the
// options never carry it; with_grad turns it on once the tensor exists.
static at::TensorOptions options(int32_t dtype, int32_t dev_type, int32_t dev_index) {
  auto o = at::TensorOptions().device(make_device(dev_type, dev_index));
  if (dtype >= 0) o = o.dtype(static_cast<at::ScalarType>(dtype));
  return o;
}

static at::Tensor with_grad(at::Tensor t, int32_t requires_grad) {
  if (requires_grad) t.requires_grad_(true);
  return t;
}

SHIM_API void shim_tensor_dispose(TH t) { delete t; }

SHIM_API int64_t shim_tensor_ndim(TH t) { return t->dim(); }
SHIM_API void shim_tensor_shape(TH t, int64_t* out) {
  auto s = t->sizes();
  std::memcpy(out, s.data(), s.size() * sizeof(int64_t));
}
SHIM_API int64_t shim_tensor_numel(TH t) { return t->numel(); }
SHIM_API int32_t shim_tensor_dtype(TH t) { return static_cast<int32_t>(t->scalar_type()); }
SHIM_API int32_t shim_tensor_device_type(TH t) { return static_cast<int32_t>(t->device().type()); }
SHIM_API int32_t shim_tensor_device_index(TH t) { return t->device().index(); }
SHIM_API int64_t shim_tensor_element_size(TH t) { return t->element_size(); }
SHIM_API int32_t shim_tensor_is_contiguous(TH t) { return t->is_contiguous(); }
SHIM_API int32_t shim_tensor_requires_grad(TH t) { return t->requires_grad(); }
SHIM_API void shim_tensor_set_requires_grad(TH t, int32_t value) { SHIM_VOID(t->requires_grad_(value != 0)) }
SHIM_API int32_t shim_tensor_is_leaf(TH t) { return t->is_leaf(); }
SHIM_API void shim_tensor_retain_grad(TH t) { SHIM_VOID(t->retain_grad()) }

SHIM_API TH shim_tensor_from_data(const void* data, int32_t dtype, const int64_t* shape, int32_t ndim,
                                  int32_t dev_type, int32_t dev_index, int32_t requires_grad) {
  SHIM_TENSOR(([&] {
    auto cpu = at::empty(dims(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
    std::memcpy(cpu.data_ptr(), data, cpu.numel() * cpu.element_size());
    auto t = cpu.to(make_device(dev_type, dev_index));
    if (requires_grad) t.requires_grad_(true);
    return t;
  }()))
}

SHIM_API TH shim_zeros(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t dt, int32_t di, int32_t rg) {
  SHIM_TENSOR(with_grad(at::zeros(dims(shape, ndim), options(dtype, dt, di)), rg))
}
SHIM_API TH shim_ones(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t dt, int32_t di, int32_t rg) {
  SHIM_TENSOR(with_grad(at::ones(dims(shape, ndim), options(dtype, dt, di)), rg))
}
SHIM_API TH shim_empty(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t dt, int32_t di, int32_t rg) {
  SHIM_TENSOR(with_grad(at::empty(dims(shape, ndim), options(dtype, dt, di)), rg))
}
SHIM_API TH shim_full(const int64_t* shape, int32_t ndim, ShimScalar value, int32_t dtype, int32_t dt, int32_t di, int32_t rg) {
  SHIM_TENSOR(with_grad(at::full(dims(shape, ndim), to_scalar(value), options(dtype, dt, di)), rg))
}
SHIM_API TH shim_rand(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t dt, int32_t di, int32_t rg) {
  SHIM_TENSOR(with_grad(at::rand(dims(shape, ndim), options(dtype, dt, di)), rg))
}
SHIM_API TH shim_randn(const int64_t* shape, int32_t ndim, int32_t dtype, int32_t dt, int32_t di, int32_t rg) {
  SHIM_TENSOR(with_grad(at::randn(dims(shape, ndim), options(dtype, dt, di)), rg))
}
SHIM_API TH shim_randint(int64_t low, int64_t high, const int64_t* shape, int32_t ndim, int32_t dtype, int32_t dt, int32_t di, int32_t rg) {
  SHIM_TENSOR(with_grad(at::randint(low, high, dims(shape, ndim), options(dtype < 0 ? (int32_t)at::kLong : dtype, dt, di)), rg))
}
SHIM_API TH shim_arange(ShimScalar start, ShimScalar stop, ShimScalar step, int32_t dtype, int32_t dt, int32_t di, int32_t rg) {
  SHIM_TENSOR(with_grad(at::arange(to_scalar(start), to_scalar(stop), to_scalar(step), options(dtype, dt, di)), rg))
}
SHIM_API TH shim_linspace(double start, double end, int64_t steps, int32_t dtype, int32_t dt, int32_t di, int32_t rg) {
  SHIM_TENSOR(with_grad(at::linspace(start, end, steps, options(dtype, dt, di)), rg))
}
SHIM_API TH shim_eye(int64_t rows, int64_t cols, int32_t dtype, int32_t dt, int32_t di, int32_t rg) {
  SHIM_TENSOR(with_grad(at::eye(rows, cols, options(dtype, dt, di)), rg))
}

// kind: 0 zeros, 1 ones, 2 empty, 3 rand, 4 randn, 5 full. dtype/device < 0 keep the input's.
SHIM_API TH shim_like(TH t, int32_t kind, ShimScalar value, int32_t dtype, int32_t dt, int32_t di, int32_t rg) {
  SHIM_TENSOR(([&] {
    auto o = at::TensorOptions().dtype(dtype >= 0 ? static_cast<at::ScalarType>(dtype) : t->scalar_type())
                 .device(dt >= 0 ? make_device(dt, di) : t->device());
    switch (kind) {
      case 0: return with_grad(at::zeros_like(*t, o), rg);
      case 1: return with_grad(at::ones_like(*t, o), rg);
      case 2: return with_grad(at::empty_like(*t, o), rg);
      case 3: return with_grad(at::rand_like(*t, o), rg);
      case 4: return with_grad(at::randn_like(*t, o), rg);
      default: return with_grad(at::full_like(*t, to_scalar(value), o), rg);
    }
  }()))
}

SHIM_API TH shim_tensor_to(TH t, int32_t dtype, int32_t dt, int32_t di, int32_t copy, int32_t non_blocking) {
  SHIM_TENSOR(([&] {
    auto d = dt >= 0 ? make_device(dt, di) : t->device();
    auto ty = dtype >= 0 ? static_cast<at::ScalarType>(dtype) : t->scalar_type();
    return t->to(d, ty, non_blocking != 0, copy != 0);
  }()))
}
SHIM_API TH shim_tensor_clone(TH t) { SHIM_TENSOR(t->clone()) }
SHIM_API TH shim_tensor_contiguous(TH t) { SHIM_TENSOR(t->contiguous()) }
SHIM_API TH shim_tensor_detach(TH t) { SHIM_TENSOR(t->detach()) }
SHIM_API void shim_tensor_detach_(TH t) { SHIM_VOID(t->detach_()) }
SHIM_API TH shim_tensor_alias(TH t) { SHIM_TENSOR(*t) }

// Copies the values (row-major, as the tensor's dtype) into dst, which holds nbytes.
SHIM_API void shim_tensor_copy_out(TH t, void* dst, int64_t nbytes) {
  SHIM_VOID(({
    auto c = t->detach().to(at::kCPU).contiguous();
    int64_t need = c.numel() * c.element_size();
    TORCH_CHECK(need <= nbytes, "destination buffer holds ", nbytes, " bytes but the tensor needs ", need);
    std::memcpy(dst, c.data_ptr(), need);
  }))
}
// Overwrites the tensor's values from src (row-major, the tensor's dtype).
SHIM_API void shim_tensor_copy_in(TH t, const void* src, int64_t nbytes) {
  SHIM_VOID(({
    auto cpu = at::empty(t->sizes(), at::TensorOptions().dtype(t->scalar_type()));
    int64_t need = cpu.numel() * cpu.element_size();
    TORCH_CHECK(need == nbytes, "source buffer holds ", nbytes, " bytes but the tensor needs ", need);
    std::memcpy(cpu.data_ptr(), src, need);
    at::NoGradGuard guard;
    t->copy_(cpu);
  }))
}

SHIM_API void shim_manual_seed(int64_t seed) { SHIM_VOID(at::manual_seed(seed)) }
SHIM_API void shim_set_num_threads(int32_t n) { SHIM_VOID(at::set_num_threads(n)) }
SHIM_API int32_t shim_get_num_threads() { return at::get_num_threads(); }
SHIM_API void shim_set_num_interop_threads(int32_t n) { SHIM_VOID(at::set_num_interop_threads(n)) }
SHIM_API int32_t shim_cuda_is_available() { return at::hasCUDA(); }
SHIM_API int32_t shim_cuda_device_count() {
  try { return at::hasCUDA() ? static_cast<int32_t>(at::getNumGPUs()) : 0; } catch (...) { return 0; }
}
SHIM_API void shim_cuda_synchronize(int32_t) {}
SHIM_API int32_t shim_grad_enabled() { return at::GradMode::is_enabled(); }
SHIM_API void shim_set_grad_enabled(int32_t enabled) { at::GradMode::set_enabled(enabled != 0); }

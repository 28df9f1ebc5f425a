// Pointwise arithmetic, comparisons and activations. Binary operations are selected by an
// operation code so that one entry point serves each operand combination; the codes match
// the managed enum BinaryOp.
#include "shim.h"
#include <ATen/ScalarOps.h>

namespace {
enum BinaryOp : int32_t {
  Add = 0, Sub = 1, Mul = 2, Div = 3, Pow = 4, Remainder = 5, Maximum = 6, Minimum = 7,
  Eq = 8, Ne = 9, Lt = 10, Le = 11, Gt = 12, Ge = 13, LogicalAnd = 14, LogicalOr = 15,
  LogicalXor = 16, BitwiseAnd = 17, BitwiseOr = 18, BitwiseXor = 19, DivTrunc = 20, DivFloor = 21,
  Matmul = 22, Mm = 23, Bmm = 24, Atan2 = 25
};

at::Tensor binary(const at::Tensor& a, const at::Tensor& b, int32_t op) {
  switch (op) {
    case Add: return at::add(a, b);
    case Sub: return at::sub(a, b);
    case Mul: return at::mul(a, b);
    case Div: return at::div(a, b);
    case DivTrunc: return at::div(a, b, "trunc");
    case DivFloor: return at::div(a, b, "floor");
    case Pow: return at::pow(a, b);
    case Remainder: return at::remainder(a, b);
    case Maximum: return at::maximum(a, b);
    case Minimum: return at::minimum(a, b);
    case Eq: return at::eq(a, b);
    case Ne: return at::ne(a, b);
    case Lt: return at::lt(a, b);
    case Le: return at::le(a, b);
    case Gt: return at::gt(a, b);
    case Ge: return at::ge(a, b);
    case LogicalAnd: return at::logical_and(a, b);
    case LogicalOr: return at::logical_or(a, b);
    case LogicalXor: return at::logical_xor(a, b);
    case BitwiseAnd: return at::bitwise_and(a, b);
    case BitwiseOr: return at::bitwise_or(a, b);
    case BitwiseXor: return at::bitwise_xor(a, b);
    case Matmul: return at::matmul(a, b);
    case Mm: return at::mm(a, b);
    case Bmm: return at::bmm(a, b);
    case Atan2: return at::atan2(a, b);
  }
  TORCH_CHECK(false, "unknown binary operation ", op);
}

at::Tensor binary_scalar(const at::Tensor& a, const c10::Scalar& s, int32_t op) {
  switch (op) {
    case Add: return at::add(a, s);
    case Sub: return at::sub(a, s);
    case Mul: return at::mul(a, s);
    case Div: return at::div(a, s);
    case DivTrunc: return at::div(a, s, "trunc");
    case DivFloor: return at::div(a, s, "floor");
    case Pow: return at::pow(a, s);
    case Remainder: return at::remainder(a, s);
    case Eq: return at::eq(a, s);
    case Ne: return at::ne(a, s);
    case Lt: return at::lt(a, s);
    case Le: return at::le(a, s);
    case Gt: return at::gt(a, s);
    case Ge: return at::ge(a, s);
    case BitwiseAnd: return at::bitwise_and(a, s);
    case BitwiseOr: return at::bitwise_or(a, s);
    case BitwiseXor: return at::bitwise_xor(a, s);
    default: {
      // Operations without a Scalar overload take the scalar as a "wrapped number" 0-d tensor: it keeps
      // the scalar's own precision (double/int64/bool) and, like a Python number, does not take part in
      // type promotion beyond its category (a plain at::scalar_tensor would be float32).
      auto b = at::native::wrapped_scalar_tensor(s, a.device());
      return binary(a, b, op);
    }
  }
}

void binary_inplace(at::Tensor& a, const at::Tensor& b, int32_t op) {
  switch (op) {
    case Add: a.add_(b); return;
    case Sub: a.sub_(b); return;
    case Mul: a.mul_(b); return;
    case Div: a.div_(b); return;
    case DivTrunc: a.div_(b, "trunc"); return;
    case DivFloor: a.div_(b, "floor"); return;
    case Pow: a.pow_(b); return;
    case Remainder: a.remainder_(b); return;
    case Eq: a.eq_(b); return;
    case Ne: a.ne_(b); return;
    case Lt: a.lt_(b); return;
    case Le: a.le_(b); return;
    case Gt: a.gt_(b); return;
    case Ge: a.ge_(b); return;
    case LogicalAnd: a.logical_and_(b); return;
    case LogicalOr: a.logical_or_(b); return;
    case LogicalXor: a.logical_xor_(b); return;
    default: a.copy_(binary(a, b, op)); return;
  }
}

void binary_scalar_inplace(at::Tensor& a, const c10::Scalar& s, int32_t op) {
  switch (op) {
    case Add: a.add_(s); return;
    case Sub: a.sub_(s); return;
    case Mul: a.mul_(s); return;
    case Div: a.div_(s); return;
    case Pow: a.pow_(s); return;
    case Remainder: a.remainder_(s); return;
    case Eq: a.eq_(s); return;
    case Ne: a.ne_(s); return;
    case Lt: a.lt_(s); return;
    case Le: a.le_(s); return;
    case Gt: a.gt_(s); return;
    case Ge: a.ge_(s); return;
    default: a.copy_(binary_scalar(a, s, op)); return;
  }
}
}  // namespace

SHIM_API TH shim_binary(TH a, TH b, int32_t op) { SHIM_TENSOR(binary(*a, *b, op)) }
SHIM_API TH shim_binary_scalar(TH a, ShimScalar s, int32_t op) { SHIM_TENSOR(binary_scalar(*a, to_scalar(s), op)) }
SHIM_API void shim_binary_(TH a, TH b, int32_t op) { SHIM_VOID(binary_inplace(*a, *b, op)) }
SHIM_API void shim_binary_scalar_(TH a, ShimScalar s, int32_t op) { SHIM_VOID(binary_scalar_inplace(*a, to_scalar(s), op)) }

// scalar OP tensor, for the operators with the scalar on the left.
SHIM_API TH shim_scalar_binary(ShimScalar s, TH b, int32_t op) {
  SHIM_TENSOR(([&] {
    auto sc = to_scalar(s);
    switch (op) {
      case Add: return at::add(*b, sc);
      case Sub: return at::rsub(*b, sc);
      case Mul: return at::mul(*b, sc);
      case Pow: return at::pow(sc, *b);
      default: {
        auto a = at::native::wrapped_scalar_tensor(sc, b->device());
        return binary(a, *b, op);
      }
    }
  }()))
}

SHIM_API TH shim_add_alpha(TH a, TH b, ShimScalar alpha) { SHIM_TENSOR(at::add(*a, *b, to_scalar(alpha))) }
SHIM_API void shim_add_alpha_(TH a, TH b, ShimScalar alpha) { SHIM_VOID(a->add_(*b, to_scalar(alpha))) }
SHIM_API TH shim_addcmul(TH t, TH a, TH b, ShimScalar v) { SHIM_TENSOR(at::addcmul(*t, *a, *b, to_scalar(v))) }
SHIM_API void shim_addcmul_(TH t, TH a, TH b, ShimScalar v) { SHIM_VOID(t->addcmul_(*a, *b, to_scalar(v))) }
SHIM_API void shim_addcdiv_(TH t, TH a, TH b, ShimScalar v) { SHIM_VOID(t->addcdiv_(*a, *b, to_scalar(v))) }
SHIM_API TH shim_lerp(TH t, TH end, TH weight) { SHIM_TENSOR(at::lerp(*t, *end, *weight)) }

namespace {
enum UnaryOp : int32_t {
  Neg = 0, Abs = 1, Exp = 2, Log = 3, Log1p = 4, Log2 = 5, Sqrt = 6, Rsqrt = 7, Square = 8,
  Sigmoid = 9, LogSigmoid = 10, Relu = 11, Tanh = 12, Sign = 13, Floor = 14, Ceil = 15,
  Reciprocal = 16, LogicalNot = 17, BitwiseNot = 18, IsNan = 19, IsInf = 20, Expm1 = 21,
  Sin = 22, Cos = 23, Trunc = 24, Log10 = 25, IsFinite = 26
};

at::Tensor unary(const at::Tensor& t, int32_t op) {
  switch (op) {
    case Neg: return at::neg(t);
    case Abs: return at::abs(t);
    case Exp: return at::exp(t);
    case Log: return at::log(t);
    case Log1p: return at::log1p(t);
    case Log2: return at::log2(t);
    case Log10: return at::log10(t);
    case Sqrt: return at::sqrt(t);
    case Rsqrt: return at::rsqrt(t);
    case Square: return at::square(t);
    case Sigmoid: return at::sigmoid(t);
    case LogSigmoid: return at::log_sigmoid(t);
    case Relu: return at::relu(t);
    case Tanh: return at::tanh(t);
    case Sign: return at::sign(t);
    case Floor: return at::floor(t);
    case Ceil: return at::ceil(t);
    case Trunc: return at::trunc(t);
    case Reciprocal: return at::reciprocal(t);
    case LogicalNot: return at::logical_not(t);
    case BitwiseNot: return at::bitwise_not(t);
    case IsNan: return at::isnan(t);
    case IsInf: return at::isinf(t);
    case IsFinite: return at::isfinite(t);
    case Expm1: return at::expm1(t);
    case Sin: return at::sin(t);
    case Cos: return at::cos(t);
  }
  TORCH_CHECK(false, "unknown unary operation ", op);
}

void unary_inplace(at::Tensor& t, int32_t op) {
  switch (op) {
    case Neg: t.neg_(); return;
    case Abs: t.abs_(); return;
    case Exp: t.exp_(); return;
    case Log: t.log_(); return;
    case Log1p: t.log1p_(); return;
    case Sqrt: t.sqrt_(); return;
    case Rsqrt: t.rsqrt_(); return;
    case Square: t.square_(); return;
    case Sigmoid: t.sigmoid_(); return;
    case Relu: t.relu_(); return;
    case Tanh: t.tanh_(); return;
    case Sign: t.sign_(); return;
    case Floor: t.floor_(); return;
    case Ceil: t.ceil_(); return;
    case Reciprocal: t.reciprocal_(); return;
    case LogicalNot: t.logical_not_(); return;
    default: t.copy_(unary(t, op)); return;
  }
}
}  // namespace

SHIM_API TH shim_unary(TH t, int32_t op) { SHIM_TENSOR(unary(*t, op)) }
SHIM_API void shim_unary_(TH t, int32_t op) { SHIM_VOID(unary_inplace(*t, op)) }

SHIM_API TH shim_round(TH t, int64_t decimals) { SHIM_TENSOR(decimals == 0 ? at::round(*t) : at::round(*t, decimals)) }
SHIM_API TH shim_softplus(TH t, double beta, double threshold) { SHIM_TENSOR(at::softplus(*t, beta, threshold)) }
SHIM_API TH shim_softmax(TH t, int64_t dim, int32_t dtype) { SHIM_TENSOR(at::softmax(*t, dim, opt_dtype(dtype))) }
SHIM_API TH shim_log_softmax(TH t, int64_t dim, int32_t dtype) { SHIM_TENSOR(at::log_softmax(*t, dim, opt_dtype(dtype))) }
SHIM_API TH shim_nan_to_num(TH t, double nan, int32_t has_pos, double pos, int32_t has_neg, double neg) {
  SHIM_TENSOR(at::nan_to_num(*t, nan, has_pos ? c10::optional<double>(pos) : c10::nullopt,
                             has_neg ? c10::optional<double>(neg) : c10::nullopt))
}

SHIM_API TH shim_clamp(TH t, int32_t has_min, ShimScalar min, int32_t has_max, ShimScalar max) {
  SHIM_TENSOR(at::clamp(*t, has_min ? c10::optional<c10::Scalar>(to_scalar(min)) : c10::nullopt,
                        has_max ? c10::optional<c10::Scalar>(to_scalar(max)) : c10::nullopt))
}
SHIM_API void shim_clamp_(TH t, int32_t has_min, ShimScalar min, int32_t has_max, ShimScalar max) {
  SHIM_VOID(t->clamp_(has_min ? c10::optional<c10::Scalar>(to_scalar(min)) : c10::nullopt,
                      has_max ? c10::optional<c10::Scalar>(to_scalar(max)) : c10::nullopt))
}
SHIM_API TH shim_clamp_tensor(TH t, TH min, TH max) {
  SHIM_TENSOR(at::clamp(*t, min ? c10::optional<at::Tensor>(*min) : c10::nullopt,
                        max ? c10::optional<at::Tensor>(*max) : c10::nullopt))
}

SHIM_API void shim_fill_(TH t, ShimScalar v) { SHIM_VOID(t->fill_(to_scalar(v))) }
SHIM_API void shim_zero_(TH t) { SHIM_VOID(t->zero_()) }
SHIM_API void shim_copy_(TH t, TH src, int32_t non_blocking) { SHIM_VOID(t->copy_(*src, non_blocking != 0)) }
SHIM_API TH shim_where(TH cond, TH x, TH y) { SHIM_TENSOR(at::where(*cond, *x, *y)) }
SHIM_API int32_t shim_equal(TH a, TH b) {
  try { return at::equal(*a, *b) ? 1 : 0; } catch (const c10::Error& e) { shim_set_error(e.what_without_backtrace()); } catch (const std::exception& e) { shim_set_error(e.what()); }
  return 0;
}
SHIM_API int32_t shim_allclose(TH a, TH b, double rtol, double atol, int32_t equal_nan) {
  try { return at::allclose(*a, *b, rtol, atol, equal_nan != 0) ? 1 : 0; } catch (const c10::Error& e) { shim_set_error(e.what_without_backtrace()); } catch (const std::exception& e) { shim_set_error(e.what()); }
  return 0;
}

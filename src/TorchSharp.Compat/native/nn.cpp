// torch.nn: convolutions, pooling, normalisation, resampling, padding, dropout and losses.
// Enumerations passed as int32 codes match the managed enums: interpolation modes follow
// torch.InterpolationMode, padding modes TorchSharp.PaddingModes, reductions torch.nn.Reduction
// (which are also at::Reduction's values).
#include "shim.h"
#include <ATen/Context.h>
#include <cmath>
#include <vector>

namespace {
inline c10::optional<at::Tensor> opt(TH t) { return t ? c10::optional<at::Tensor>(*t) : c10::nullopt; }

enum InterpolationMode : int32_t { Nearest = 0, Linear = 1, Bilinear = 2, Bicubic = 3, Trilinear = 4, Area = 5, NearestExact = 6 };
enum PaddingMode : int32_t { Zeros = 0, Reflect = 1, Replicate = 2, Circular = 3, Constant = 4 };

const char* mode_name(int32_t mode) {
  switch (mode) {
    case Nearest: return "nearest";
    case Linear: return "linear";
    case Bilinear: return "bilinear";
    case Bicubic: return "bicubic";
    case Trilinear: return "trilinear";
    case Area: return "area";
    case NearestExact: return "nearest-exact";
  }
  return "unknown";
}

// Nearest-neighbour resampling by index selection along each spatial dimension, using
// libtorch's source-index rules (UpSample.h). Serves the dtypes the upsampling kernels
// lack (integer and bool tensors such as label maps).
at::Tensor nearest_by_index(const at::Tensor& x, const std::vector<int64_t>& out,
                            const c10::optional<std::vector<double>>& scales, bool exact) {
  at::Tensor result = x;
  for (size_t i = 0; i < out.size(); i++) {
    int64_t dim = static_cast<int64_t>(i) + 2;
    int64_t in_size = x.size(dim), out_size = out[i];
    if (in_size == out_size && !exact) continue;
    double s = scales ? (*scales)[i] : 0.0;
    float scale = s > 0.0 ? static_cast<float>(1.0 / s) : static_cast<float>(in_size) / static_cast<float>(out_size);
    std::vector<int64_t> idx(static_cast<size_t>(out_size));
    for (int64_t o = 0; o < out_size; o++) {
      int64_t src;
      if (exact) src = static_cast<int64_t>(std::floor(static_cast<float>((o + 0.5) * scale)));
      else if (out_size == 2 * in_size) src = o >> 1;
      else src = static_cast<int64_t>(std::floor(static_cast<float>(o) * scale));
      idx[static_cast<size_t>(o)] = std::min(src, in_size - 1);
    }
    auto index = at::tensor(idx, at::TensorOptions().dtype(at::kLong)).to(x.device());
    result = result.index_select(dim, index);
  }
  return result;
}

at::Tensor interpolate(const at::Tensor& x, const int64_t* size, int32_t nsize, const double* scale, int32_t nscale,
                       int32_t mode, int32_t align_corners, bool recompute_scale_factor, bool antialias) {
  int64_t sd = x.dim() - 2;
  TORCH_CHECK(sd >= 1 && sd <= 3, "interpolate expects a 3-D, 4-D or 5-D input (N, C, *spatial), got a ", x.dim(), "-D tensor");
  TORCH_CHECK((nsize > 0) != (nscale > 0), "interpolate needs exactly one of size and scale_factor");
  TORCH_CHECK(nsize <= 1 || nsize == sd, "size has ", nsize, " elements but the input has ", sd, " spatial dimensions");
  TORCH_CHECK(nscale <= 1 || nscale == sd, "scale_factor has ", nscale, " elements but the input has ", sd, " spatial dimensions");

  std::vector<int64_t> out(static_cast<size_t>(sd));
  c10::optional<std::vector<double>> scales;
  if (nsize > 0) {
    for (int64_t i = 0; i < sd; i++) out[i] = size[nsize == 1 ? 0 : i];
  } else {
    std::vector<double> s(static_cast<size_t>(sd));
    for (int64_t i = 0; i < sd; i++) {
      s[i] = scale[nscale == 1 ? 0 : i];
      TORCH_CHECK(s[i] > 0, "scale_factor must be positive, got ", s[i]);
      out[i] = static_cast<int64_t>(std::floor(static_cast<double>(x.size(i + 2)) * s[i]));
    }
    if (!recompute_scale_factor) scales = s;
  }
  for (int64_t i = 0; i < sd; i++) TORCH_CHECK(out[i] > 0, "interpolate computed an empty output size ", out[i], " for spatial dimension ", i);

  bool interpolating = mode == Linear || mode == Bilinear || mode == Bicubic || mode == Trilinear;
  TORCH_CHECK(interpolating || align_corners <= 0,
              "align_corners can only be set with the interpolating modes linear, bilinear, bicubic and trilinear, not ", mode_name(mode));
  bool ac = align_corners > 0;
  TORCH_CHECK(!antialias || (sd == 2 && (mode == Bilinear || mode == Bicubic)),
              "antialias is only supported for bilinear and bicubic modes with 4-D input");

  at::OptionalIntArrayRef osize = scales ? at::OptionalIntArrayRef() : at::OptionalIntArrayRef(at::IntArrayRef(out));
  c10::optional<at::ArrayRef<double>> oscale = scales ? c10::optional<at::ArrayRef<double>>(at::ArrayRef<double>(*scales)) : c10::nullopt;

  switch (mode) {
    case Nearest:
    case NearestExact: {
      bool exact = mode == NearestExact;
      if (!at::isFloatingType(x.scalar_type())) return nearest_by_index(x, out, scales, exact);
      if (sd == 1) return exact ? at::_upsample_nearest_exact1d(x, osize, oscale) : at::upsample_nearest1d(x, osize, oscale);
      if (sd == 2) return exact ? at::_upsample_nearest_exact2d(x, osize, oscale) : at::upsample_nearest2d(x, osize, oscale);
      return exact ? at::_upsample_nearest_exact3d(x, osize, oscale) : at::upsample_nearest3d(x, osize, oscale);
    }
    case Area:
      if (sd == 1) return at::adaptive_avg_pool1d(x, out);
      if (sd == 2) return at::adaptive_avg_pool2d(x, out);
      return at::adaptive_avg_pool3d(x, out);
    case Linear:
      TORCH_CHECK(sd == 1, "linear mode needs a 3-D input, got ", x.dim(), "-D");
      return at::upsample_linear1d(x, osize, ac, oscale);
    case Bilinear:
      TORCH_CHECK(sd == 2, "bilinear mode needs a 4-D input, got ", x.dim(), "-D");
      return antialias ? at::_upsample_bilinear2d_aa(x, osize, ac, oscale) : at::upsample_bilinear2d(x, osize, ac, oscale);
    case Bicubic:
      TORCH_CHECK(sd == 2, "bicubic mode needs a 4-D input, got ", x.dim(), "-D");
      return antialias ? at::_upsample_bicubic2d_aa(x, osize, ac, oscale) : at::upsample_bicubic2d(x, osize, ac, oscale);
    case Trilinear:
      TORCH_CHECK(sd == 3, "trilinear mode needs a 5-D input, got ", x.dim(), "-D");
      return at::upsample_trilinear3d(x, osize, ac, oscale);
  }
  TORCH_CHECK(false, "unknown interpolation mode ", mode);
}

at::Tensor pad(const at::Tensor& x, const int64_t* p, int32_t n, int32_t mode, double value) {
  switch (mode) {
    case Zeros: return at::pad(x, dims(p, n), "constant", 0.0);
    case Constant: return at::pad(x, dims(p, n), "constant", value);
    case Reflect: return at::pad(x, dims(p, n), "reflect", c10::nullopt);
    case Replicate: return at::pad(x, dims(p, n), "replicate", c10::nullopt);
    case Circular: return at::pad(x, dims(p, n), "circular", c10::nullopt);
  }
  TORCH_CHECK(false, "unknown padding mode ", mode);
}
}  // namespace

// ---- convolution, linear ----

SHIM_API TH shim_conv2d(TH input, TH weight, TH bias, const int64_t* stride, int32_t nstride, const int64_t* padding,
                        int32_t npadding, const int64_t* dilation, int32_t ndilation, int64_t groups) {
  SHIM_TENSOR(at::conv2d(*input, *weight, opt(bias), dims(stride, nstride), dims(padding, npadding), dims(dilation, ndilation), groups))
}
// padding_kind: 0 = "valid", 1 = "same".
SHIM_API TH shim_conv2d_padding(TH input, TH weight, TH bias, const int64_t* stride, int32_t nstride, int32_t padding_kind,
                                const int64_t* dilation, int32_t ndilation, int64_t groups) {
  SHIM_TENSOR(at::conv2d(*input, *weight, opt(bias), dims(stride, nstride), padding_kind == 1 ? "same" : "valid",
                         dims(dilation, ndilation), groups))
}
SHIM_API TH shim_conv_transpose2d(TH input, TH weight, TH bias, const int64_t* stride, int32_t nstride, const int64_t* padding,
                                  int32_t npadding, const int64_t* output_padding, int32_t noutput_padding,
                                  const int64_t* dilation, int32_t ndilation, int64_t groups) {
  SHIM_TENSOR(at::conv_transpose2d(*input, *weight, opt(bias), dims(stride, nstride), dims(padding, npadding),
                                   dims(output_padding, noutput_padding), groups, dims(dilation, ndilation)))
}
SHIM_API TH shim_linear(TH input, TH weight, TH bias) { SHIM_TENSOR(at::linear(*input, *weight, opt(bias))) }

// ---- pooling ----

SHIM_API TH shim_max_pool2d(TH input, const int64_t* kernel, int32_t nkernel, const int64_t* stride, int32_t nstride,
                            const int64_t* padding, int32_t npadding, const int64_t* dilation, int32_t ndilation, int32_t ceil_mode) {
  SHIM_TENSOR(at::max_pool2d(*input, dims(kernel, nkernel), dims(stride, nstride), dims(padding, npadding),
                             dims(dilation, ndilation), ceil_mode != 0))
}
SHIM_API TH shim_avg_pool2d(TH input, const int64_t* kernel, int32_t nkernel, const int64_t* stride, int32_t nstride,
                            const int64_t* padding, int32_t npadding, int32_t ceil_mode, int32_t count_include_pad,
                            int32_t has_divisor, int64_t divisor) {
  SHIM_TENSOR(at::avg_pool2d(*input, dims(kernel, nkernel), dims(stride, nstride), dims(padding, npadding), ceil_mode != 0,
                             count_include_pad != 0, has_divisor ? c10::optional<int64_t>(divisor) : c10::nullopt))
}
SHIM_API TH shim_adaptive_avg_pool2d(TH input, const int64_t* size, int32_t nsize) {
  SHIM_TENSOR(at::adaptive_avg_pool2d(*input, dims(size, nsize)))
}

// ---- normalisation, dropout ----

SHIM_API TH shim_batch_norm(TH input, TH weight, TH bias, TH running_mean, TH running_var, int32_t training, double momentum, double eps) {
  SHIM_TENSOR(at::batch_norm(*input, opt(weight), opt(bias), opt(running_mean), opt(running_var), training != 0, momentum, eps,
                             at::globalContext().userEnabledCuDNN()))
}
// feature: 0 = element-wise dropout, 1 = whole channels (dropout2d/3d).
SHIM_API TH shim_dropout(TH input, double p, int32_t training, int32_t feature) {
  SHIM_TENSOR(feature ? at::feature_dropout(*input, p, training != 0) : at::dropout(*input, p, training != 0))
}
SHIM_API void shim_dropout_(TH input, double p, int32_t training, int32_t feature) {
  SHIM_VOID(feature ? at::feature_dropout_(*input, p, training != 0) : at::dropout_(*input, p, training != 0))
}

// ---- resampling, padding ----

// align_corners: -1 unset, 0 false, 1 true.
SHIM_API TH shim_interpolate(TH input, const int64_t* size, int32_t nsize, const double* scale, int32_t nscale, int32_t mode,
                             int32_t align_corners, int32_t recompute_scale_factor, int32_t antialias) {
  SHIM_TENSOR(interpolate(*input, size, nsize, scale, nscale, mode, align_corners, recompute_scale_factor != 0, antialias != 0))
}
SHIM_API TH shim_pad(TH input, const int64_t* p, int32_t n, int32_t mode, double value) { SHIM_TENSOR(pad(*input, p, n, mode, value)) }

// ---- losses ----

SHIM_API TH shim_cross_entropy(TH input, TH target, TH weight, int64_t reduction, int64_t ignore_index, double label_smoothing) {
  SHIM_TENSOR(at::cross_entropy_loss(*input, *target, opt(weight), reduction, ignore_index, label_smoothing))
}
SHIM_API TH shim_nll_loss(TH input, TH target, TH weight, int64_t reduction, int64_t ignore_index) {
  SHIM_TENSOR(at::nll_loss_nd(*input, *target, opt(weight), reduction, ignore_index))
}
SHIM_API TH shim_binary_cross_entropy_with_logits(TH input, TH target, TH weight, TH pos_weight, int64_t reduction) {
  SHIM_TENSOR(at::binary_cross_entropy_with_logits(*input, *target, opt(weight), opt(pos_weight), reduction))
}
SHIM_API TH shim_binary_cross_entropy(TH input, TH target, TH weight, int64_t reduction) {
  SHIM_TENSOR(at::binary_cross_entropy(*input, *target, opt(weight), reduction))
}
SHIM_API TH shim_mse_loss(TH input, TH target, int64_t reduction) { SHIM_TENSOR(at::mse_loss(*input, *target, reduction)) }
SHIM_API TH shim_l1_loss(TH input, TH target, int64_t reduction) { SHIM_TENSOR(at::l1_loss(*input, *target, reduction)) }
SHIM_API TH shim_smooth_l1_loss(TH input, TH target, int64_t reduction, double beta) {
  SHIM_TENSOR(at::smooth_l1_loss(*input, *target, reduction, beta))
}
SHIM_API TH shim_huber_loss(TH input, TH target, int64_t reduction, double delta) {
  SHIM_TENSOR(at::huber_loss(*input, *target, reduction, delta))
}
SHIM_API TH shim_kl_div(TH input, TH target, int64_t reduction, int32_t log_target) {
  SHIM_TENSOR(at::kl_div(*input, *target, reduction, log_target != 0))
}
SHIM_API TH shim_one_hot(TH input, int64_t num_classes) { SHIM_TENSOR(at::one_hot(*input, num_classes)) }
SHIM_API TH shim_leaky_relu(TH input, double negative_slope) { SHIM_TENSOR(at::leaky_relu(*input, negative_slope)) }
SHIM_API void shim_leaky_relu_(TH input, double negative_slope) { SHIM_VOID(at::leaky_relu_(*input, negative_slope)) }

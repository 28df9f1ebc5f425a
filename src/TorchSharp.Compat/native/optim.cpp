// Fused per-parameter update steps of the optimizers (torch.optim), following PyTorch's
// single-tensor implementations. Every update runs without recording gradients and only
// mutates the parameter and its state tensors; temporaries die with the call.
#include "shim.h"
#include <cmath>

namespace {
void adam_step(at::Tensor& param, const at::Tensor& grad_in, at::Tensor& exp_avg, at::Tensor& exp_avg_sq,
               at::Tensor* max_exp_avg_sq, int64_t step, double lr, double beta1, double beta2, double eps,
               double weight_decay, bool maximize, bool decoupled_weight_decay) {
  at::NoGradGuard no_grad;
  at::Tensor grad = maximize ? grad_in.neg() : grad_in;
  if (weight_decay != 0) {
    if (decoupled_weight_decay) param.mul_(1 - lr * weight_decay);
    else grad = grad.add(param, weight_decay);
  }
  exp_avg.mul_(beta1).add_(grad, 1 - beta1);
  exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2);
  double bias_correction1 = 1 - std::pow(beta1, static_cast<double>(step));
  double bias_correction2 = 1 - std::pow(beta2, static_cast<double>(step));
  double step_size = lr / bias_correction1;
  double bias_correction2_sqrt = std::sqrt(bias_correction2);
  at::Tensor denom;
  if (max_exp_avg_sq) {
    at::maximum_out(*max_exp_avg_sq, *max_exp_avg_sq, exp_avg_sq);
    denom = (max_exp_avg_sq->sqrt() / bias_correction2_sqrt).add_(eps);
  } else {
    denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps);
  }
  param.addcdiv_(exp_avg, denom, -step_size);
}

void sgd_step(at::Tensor& param, const at::Tensor& grad_in, at::Tensor* momentum_buffer, bool first, double lr,
              double momentum, double dampening, double weight_decay, bool nesterov, bool maximize) {
  at::NoGradGuard no_grad;
  at::Tensor d_p = maximize ? grad_in.neg() : grad_in;
  if (weight_decay != 0) d_p = d_p.add(param, weight_decay);
  if (momentum != 0) {
    TORCH_CHECK(momentum_buffer, "SGD with momentum needs a momentum buffer");
    if (first) momentum_buffer->copy_(d_p);
    else momentum_buffer->mul_(momentum).add_(d_p, 1 - dampening);
    d_p = nesterov ? d_p.add(*momentum_buffer, momentum) : *momentum_buffer;
  }
  param.add_(d_p, -lr);
}
}  // namespace

// max_exp_avg_sq is null unless amsgrad; step is the 1-based count including this update.
SHIM_API void shim_adam_step(TH param, TH grad, TH exp_avg, TH exp_avg_sq, TH max_exp_avg_sq, int64_t step, double lr,
                             double beta1, double beta2, double eps, double weight_decay, int32_t maximize, int32_t decoupled) {
  SHIM_VOID(adam_step(*param, *grad, *exp_avg, *exp_avg_sq, max_exp_avg_sq, step, lr, beta1, beta2, eps, weight_decay,
                      maximize != 0, decoupled != 0))
}

// momentum_buffer is null when momentum is 0; first = 1 initialises it from this step's gradient.
SHIM_API void shim_sgd_step(TH param, TH grad, TH momentum_buffer, int32_t first, double lr, double momentum, double dampening,
                            double weight_decay, int32_t nesterov, int32_t maximize) {
  SHIM_VOID(sgd_step(*param, *grad, momentum_buffer, first != 0, lr, momentum, dampening, weight_decay, nesterov != 0, maximize != 0))
}

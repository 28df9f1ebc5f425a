// Autograd: backward passes, gradients and torch.autograd.grad.
#include "shim.h"
#include <torch/csrc/autograd/autograd.h>

static std::vector<at::Tensor> list(const TH* ts, int32_t n) {
  std::vector<at::Tensor> v;
  v.reserve(n);
  for (int32_t i = 0; i < n; i++) v.push_back(ts[i] ? *ts[i] : at::Tensor());
  return v;
}

SHIM_API void shim_backward(const TH* outputs, int32_t n, const TH* grads, int32_t ngrads, int32_t retain_graph,
                            int32_t has_retain, int32_t create_graph, const TH* inputs, int32_t ninputs) {
  SHIM_VOID(torch::autograd::backward(list(outputs, n), list(grads, ngrads),
                                      has_retain ? c10::optional<bool>(retain_graph != 0) : c10::nullopt,
                                      create_graph != 0, list(inputs, ninputs)))
}

// Writes one handle per input into out (nullptr where unused). Returns 0, or -1 on error.
SHIM_API int32_t shim_autograd_grad(const TH* outputs, int32_t n, const TH* inputs, int32_t ninputs,
                                    const TH* grad_outputs, int32_t ngrad, int32_t retain_graph, int32_t has_retain,
                                    int32_t create_graph, int32_t allow_unused, TH* out) {
  SHIM_TRY(-1, {
    auto r = torch::autograd::grad(list(outputs, n), list(inputs, ninputs), list(grad_outputs, ngrad),
                                   has_retain ? c10::optional<bool>(retain_graph != 0) : c10::nullopt,
                                   create_graph != 0, allow_unused != 0);
    for (size_t i = 0; i < r.size(); i++) out[i] = wrap(r[i]);
    return 0;
  })
}

SHIM_API TH shim_grad(TH t) { SHIM_TENSOR(t->grad()) }
SHIM_API void shim_set_grad(TH t, TH g) { SHIM_VOID(t->mutable_grad() = g ? *g : at::Tensor()) }

// Random permutations.
#include "shim.h"

SHIM_API TH shim_randperm(int64_t n, int32_t dtype, int32_t dev_type, int32_t dev_index, int32_t requires_grad) {
  SHIM_TENSOR(at::randperm(n, at::TensorOptions()
                                  .dtype(dtype >= 0 ? static_cast<at::ScalarType>(dtype) : at::kLong)
                                  .device(make_device(dev_type, dev_index))
                                  .requires_grad(requires_grad != 0)))
}

// Common definitions for the extern "C" shim over libtorch.
//
// Every tensor crossing the boundary is a heap-allocated at::Tensor (a reference-counted
// handle); the managed Tensor owns exactly one and deletes it on Dispose. Every entry point
// catches C++ exceptions and stores the message in a thread-local slot, so that bad input
// becomes a .NET exception instead of aborting the process.
#pragma once

#include <ATen/ATen.h>
#include <c10/util/Exception.h>
#include <cstdint>
#include <string>

#define SHIM_API extern "C" __attribute__((visibility("default")))

typedef at::Tensor* TH;

// Scalar passed by value: kind 0 = double, 1 = int64, 2 = bool.
struct ShimScalar {
  int64_t i;
  double d;
  int32_t kind;
};

void shim_set_error(const char* message);

inline c10::Scalar to_scalar(const ShimScalar& s) {
  switch (s.kind) {
    case 1: return c10::Scalar(s.i);
    case 2: return c10::Scalar(s.i != 0);
    default: return c10::Scalar(s.d);
  }
}

inline TH wrap(at::Tensor t) {
  return t.defined() ? new at::Tensor(std::move(t)) : nullptr;
}

inline c10::optional<at::ScalarType> opt_dtype(int32_t code) {
  if (code < 0) return c10::nullopt;
  return static_cast<at::ScalarType>(code);
}

inline at::Device make_device(int32_t type, int32_t index) {
  return at::Device(static_cast<c10::DeviceType>(type), static_cast<c10::DeviceIndex>(index));
}

inline at::IntArrayRef dims(const int64_t* p, int32_t n) { return at::IntArrayRef(p, static_cast<size_t>(n)); }

inline at::Tensor opt_tensor(TH t) { return t ? *t : at::Tensor(); }

// Runs `body` (which returns a value) and converts any exception into the error slot,
// returning `fallback` instead.
#define SHIM_TRY(fallback, body)                                  \
  try {                                                           \
    body                                                          \
  } catch (const c10::Error& e) {                                 \
    shim_set_error(e.what_without_backtrace());                   \
  } catch (const std::exception& e) {                             \
    shim_set_error(e.what());                                     \
  } catch (...) {                                                 \
    shim_set_error("unknown native exception");                   \
  }                                                               \
  return fallback;

// Entry point returning a new tensor handle.
#define SHIM_TENSOR(expr) SHIM_TRY(nullptr, { return wrap(expr); })
// Entry point with no result; the managed side checks the error slot afterwards.
#define SHIM_VOID(stmt) SHIM_TRY(, { stmt; return; })

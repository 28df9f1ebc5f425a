// The thread-local error slot shared by every entry point.
#include "shim.h"
#include <cstdlib>
#include <cstring>

static thread_local std::string* last_error = nullptr;

void shim_set_error(const char* message) {
  if (!last_error) last_error = new std::string();
  *last_error = message ? message : "";
}

// Returns the pending message (malloc'ed, freed by the caller with shim_free_string) and clears
// it, or nullptr when no error is pending.
SHIM_API char* shim_get_and_reset_last_err() {
  if (!last_error || last_error->empty()) return nullptr;
  char* copy = strdup(last_error->c_str());
  last_error->clear();
  return copy;
}

SHIM_API void shim_free_string(char* s) { free(s); }

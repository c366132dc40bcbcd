#include "util/check.hpp"

#include <cstdio>
#include <cstdlib>

namespace smmap::detail {

void check_failed(const char* condition, const char* file, int line) noexcept {
  std::fprintf(stderr, "smmap: precondition failed at %s:%d: %s\n", file, line, condition);
  std::abort();
}

}  // namespace smmap::detail

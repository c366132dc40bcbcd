#include "system_calls.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace smmap::detail {
namespace {

int open_read_only(const char* path, int flags) {
  return ::open(path, flags);
}

SystemCalls real_system_calls() noexcept {
  return SystemCalls{
      .open = open_read_only,
      .close = ::close,
      .stat = ::stat,
      .fstat = ::fstat,
      .mmap = ::mmap,
      .munmap = ::munmap,
      .pread = ::pread,
  };
}

#ifdef SMMAP_TESTING
SystemCalls calls = real_system_calls();
#else
const SystemCalls calls = real_system_calls();
#endif

}  // namespace

const SystemCalls& system_calls() noexcept {
  return calls;
}

#ifdef SMMAP_TESTING
SystemCalls& replaceable_system_calls() noexcept {
  return calls;
}

void reset_system_calls() noexcept {
  calls = real_system_calls();
}
#endif

}  // namespace smmap::detail

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

SystemCalls calls = real_system_calls();

}  // namespace

SystemCalls& system_calls() noexcept {
  return calls;
}

void reset_system_calls() noexcept {
  calls = real_system_calls();
}

}  // namespace smmap::detail

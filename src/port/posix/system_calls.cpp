#include "system_calls.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef SMMAP_TESTING
#include <cstdio>
#include <cstdlib>
#endif

namespace smmap::detail {
namespace {

int open_read_only(const char* path, int flags) {
  return ::open(path, flags);
}

#ifdef SMMAP_TESTING
// sysconf() with the page size SMMAP_TEST_PAGE_SIZE pretends (system_calls.hpp).
long sysconf_for_tests(int name) {
  const long real = ::sysconf(name);
  const char* pretend = name == _SC_PAGESIZE ? std::getenv("SMMAP_TEST_PAGE_SIZE") : nullptr;
  if (pretend == nullptr || *pretend == '\0') return real;
  char* end = nullptr;
  const long size = std::strtol(pretend, &end, 10);
  if (*end != '\0' || size <= 0 || (size & (size - 1)) != 0 || real <= 0 || size % real != 0) {
    std::fprintf(stderr, "SMMAP_TEST_PAGE_SIZE=%s: not a power of two that is a multiple of %ld\n",
                 pretend, real);
    std::abort();
  }
  return size;
}
#endif

// The system's calls, but for the page size a test may pretend in the library
// the tests link. Constant: set before any static initializer asks for it.
constexpr SystemCalls real_system_calls() noexcept {
  return SystemCalls{
      .open = open_read_only,
      .close = ::close,
      .stat = ::stat,
      .fstat = ::fstat,
      .mmap = ::mmap,
      .munmap = ::munmap,
      .pread = ::pread,
#ifdef SMMAP_TESTING
      .sysconf = sysconf_for_tests,
#else
      .sysconf = ::sysconf,
#endif
  };
}

#ifdef SMMAP_TESTING
constinit SystemCalls calls = real_system_calls();
#else
constinit const SystemCalls calls = real_system_calls();
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

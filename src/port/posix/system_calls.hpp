// The POSIX port's seam: every system call the port makes goes through this
// table, so that tests can inject failures (ENOMEM, EMFILE, ENODEV...) into
// open, fstat, mmap and friends. Only the library built for tests
// (smmap_testing, with SMMAP_TESTING) lets them; in the library users link
// the table is constant.
//
// Thread safety: system_calls() is; replace entries only while no manager
// is in use.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>

#include "platform.hpp"

namespace smmap::detail {

// The library is built with _FILE_OFFSET_BITS=64; code that includes this
// header (tests) must be too, or off_t and struct stat differ on 32-bit.
static_assert(sizeof(off_t) == 8, "build with -D_FILE_OFFSET_BITS=64, as the library is");

struct SystemCalls {
  int (*open)(const char* path, int flags);
  int (*close)(int fd);
  int (*stat)(const char* path, struct stat* out);
  int (*fstat)(int fd, struct stat* out);
  void* (*mmap)(void* hint, std::size_t length, int prot, int flags, int fd, off_t offset);
  int (*munmap)(void* address, std::size_t length);
  ssize_t (*pread)(int fd, void* out, std::size_t count, off_t offset);
};

// The calls the port makes: the system's own in the library users link,
// which no one can change.
const SystemCalls& system_calls() noexcept;

#ifdef SMMAP_TESTING
// In the library as its tests link it (smmap_testing): the calls in use, for
// a test to replace while no manager is in use; reset_system_calls() puts
// the system's own back.
SystemCalls& replaceable_system_calls() noexcept;
void reset_system_calls() noexcept;
#endif

}  // namespace smmap::detail

// The POSIX port's seam: every system call the port makes goes through this
// table, so that tests can inject failures (ENOMEM, EMFILE, ENODEV...) into
// open, fstat, mmap and friends. Production code never changes it.
//
// Thread safety: replace entries only while no manager is in use.
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

// The calls in use; tests may overwrite entries and restore them with
// reset_system_calls().
SystemCalls& system_calls() noexcept;
void reset_system_calls() noexcept;

}  // namespace smmap::detail

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
  long (*sysconf)(int name);
};

// The calls the port makes: the system's own in the library users link,
// which no one can change.
const SystemCalls& system_calls() noexcept;

#ifdef SMMAP_TESTING
// In the library as its tests link it (smmap_testing): the calls in use, for
// a test to replace while no manager is in use; reset_system_calls() puts
// the system's own back.
//
// There, sysconf(_SC_PAGESIZE) answers what the environment variable
// SMMAP_TEST_PAGE_SIZE says, when set: a power of two that is a multiple of
// the real page size (16384, 65536), so that every rule that depends on the
// page size (placement, copy windows, the page table, read-throughs) runs as
// on a kernel with pages that large. Mappings at multiples of it are valid
// mappings here too. The granularity is read once, at program start
// (ALLOCATIONGRANULARITY), so the variable is set for the whole program.
SystemCalls& replaceable_system_calls() noexcept;
void reset_system_calls() noexcept;
#endif

}  // namespace smmap::detail

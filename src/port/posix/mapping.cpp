#include "port/mapping.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "port/guarded_copy.hpp"
#include "port/memory.hpp"
#include "system_calls.hpp"
#include "util/check.hpp"
#include "util/errors.hpp"

namespace smmap::detail {

void read_exactly(NativeFile fd, const std::string& what, std::uint64_t ofs,
                  std::span<std::byte> into) {
  SMMAP_DCHECK(!into.empty());
  const std::size_t size = into.size();
  std::size_t done = 0;
  while (done < size) {
    const ssize_t got =
        system_calls().pread(fd, into.data() + done, size - done, static_cast<off_t>(ofs + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      throw_system_error(got < 0 ? errno : EIO, got < 0 ? "pread" : "pread (file shrank)", what,
                         ofs, size);
    }
    done += static_cast<std::size_t>(got);
  }
}

Mapping map_or_copy(NativeFile fd, const std::string& what, std::uint64_t ofs, std::size_t size) {
  SMMAP_DCHECK(ofs % system_allocation_granularity() == 0 && size > 0);
  void* address =
      system_calls().mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(ofs));
  if (address != MAP_FAILED) return Mapping{{static_cast<const std::byte*>(address), size}, false};
  const int err = errno;
  if (err != ENODEV) throw_system_error(err, "mmap", what, ofs, size);
  return read_copy(fd, what, ofs, size);
}

bool populate(const Mapping& mapping) noexcept {
  if (mapping.copied || mapping.bytes.empty()) return true;
#ifdef MADV_POPULATE_READ
  // Fails with EFAULT, rather than a SIGBUS, past the file's end.
  return ::madvise(const_cast<std::byte*>(mapping.bytes.data()), mapping.bytes.size(),
                   MADV_POPULATE_READ) == 0;
#else
  return false;
#endif
}

void unmap(const Mapping& mapping) noexcept {
  if (mapping.bytes.data() == nullptr) return;
  if (mapping.copied) {
    free_copy(mapping.bytes.data(), mapping.bytes.size());
  } else {
    system_calls().munmap(const_cast<std::byte*>(mapping.bytes.data()), mapping.bytes.size());
  }
}

void detach_from_file(const Mapping& mapping) noexcept {
  if (mapping.copied || mapping.bytes.empty()) return;
  install_sigbus_handler();  // copy_or_fault() below relies on it
  void* address = const_cast<std::byte*>(mapping.bytes.data());
  const std::size_t size = mapping.bytes.size();
  void* saved = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (saved == MAP_FAILED) {
    std::fprintf(stderr, "smmap: no memory to keep a pinned region while releasing its file\n");
    std::abort();
  }
  // Pages the file lost (SIGBUS) stay zero; the rest is copied.
  auto* to = static_cast<std::byte*>(saved);
  const std::byte* from = mapping.bytes.data();
  if (copy_or_fault(to, from, size) != nullptr) {
    const std::size_t page = system_allocation_granularity();
    for (std::size_t at = 0; at < size; at += page) {
      const std::size_t length = std::min(page, size - at);
      if (copy_or_fault(to + at, from + at, length) != nullptr) std::memset(to + at, 0, length);
    }
  }
  // MAP_FIXED replaces the file's pages in place: unlike on Windows, no
  // other thread can take the range in between.
  void* replaced =
      ::mmap(address, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (replaced == MAP_FAILED) {
    std::fprintf(stderr, "smmap: no memory to keep a pinned region while releasing its file\n");
    std::abort();
  }
  std::memcpy(replaced, saved, size);
  ::mprotect(replaced, size, PROT_READ);
  ::munmap(saved, size);
}

}  // namespace smmap::detail

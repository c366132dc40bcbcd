#include "mapping.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <memory>

#include "system_calls.hpp"

namespace smmap::detail {
namespace {

// Reads [ofs, ofs + size) of |fd| into a new heap block. Throws
// std::system_error on a read error or a file shorter than expected.
std::byte* read_into_memory(int fd, const std::string& what, std::uint64_t ofs, std::size_t size) {
  auto bytes = std::make_unique<std::byte[]>(size);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t got =
        system_calls().pread(fd, bytes.get() + done, size - done, static_cast<off_t>(ofs + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw_system_error(errno, "pread", what, ofs, size);
    if (got == 0) throw_system_error(EIO, "pread (file shrank)", what, ofs, size);
    done += static_cast<std::size_t>(got);
  }
  return bytes.release();
}

}  // namespace

Mapping map_or_copy(NativeFile fd, const std::string& what, std::uint64_t ofs, std::size_t size) {
  void* address =
      system_calls().mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(ofs));
  if (address != MAP_FAILED) return Mapping{{static_cast<const std::byte*>(address), size}, false};
  const int err = errno;
  if (err != ENODEV) throw_system_error(err, "mmap", what, ofs, size);
  return Mapping{{read_into_memory(fd, what, ofs, size), size}, true};
}

void unmap(const Mapping& mapping) noexcept {
  if (mapping.bytes.data() == nullptr) return;
  if (mapping.copied) {
    delete[] mapping.bytes.data();
  } else {
    system_calls().munmap(const_cast<std::byte*>(mapping.bytes.data()), mapping.bytes.size());
  }
}

}  // namespace smmap::detail

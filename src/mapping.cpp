#include "mapping.hpp"

#include <sys/mman.h>

#include <cerrno>

#include "system_calls.hpp"

namespace smmap::detail {

Mapping read_copy(NativeFile fd, const std::string& what, std::uint64_t ofs, std::size_t size) {
  // Not value-initialised: pread writes every byte or the block is freed.
  std::byte* bytes = allocate_copy(size);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t got =
        system_calls().pread(fd, bytes + done, size - done, static_cast<off_t>(ofs + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      const int err = got < 0 ? errno : EIO;
      free_copy(bytes, size);
      throw_system_error(err, got < 0 ? "pread" : "pread (file shrank)", what, ofs, size);
    }
    done += static_cast<std::size_t>(got);
  }
  return Mapping{{bytes, size}, true};
}

Mapping map_or_copy(NativeFile fd, const std::string& what, std::uint64_t ofs, std::size_t size) {
  void* address =
      system_calls().mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(ofs));
  if (address != MAP_FAILED) return Mapping{{static_cast<const std::byte*>(address), size}, false};
  const int err = errno;
  if (err != ENODEV) throw_system_error(err, "mmap", what, ofs, size);
  return read_copy(fd, what, ofs, size);
}

void unmap(const Mapping& mapping) noexcept {
  if (mapping.bytes.data() == nullptr) return;
  if (mapping.copied) {
    free_copy(mapping.bytes.data(), mapping.bytes.size());
  } else {
    system_calls().munmap(const_cast<std::byte*>(mapping.bytes.data()), mapping.bytes.size());
  }
}

}  // namespace smmap::detail

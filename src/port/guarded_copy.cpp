// What every port's guard shares: the error a truncation becomes
// (port/guarded_copy.hpp).
#include "port/guarded_copy.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <string>

#include "util/errors.hpp"

namespace smmap::detail {

void throw_truncated(const std::byte* from, std::size_t size, const std::byte* fault,
                     const PathOrFd* source, std::uint64_t file_offset, int fd) {
  // The fault address says where the copy ran into the lost pages, which is
  // not the first of them when it copies backwards; the file's size says.
  const auto begin = reinterpret_cast<std::uintptr_t>(from);
  const auto at = reinterpret_cast<std::uintptr_t>(fault);
  const std::uint64_t into = at > begin ? std::min<std::uint64_t>(at - begin, size - 1) : 0;
  std::uint64_t lost = file_offset + into;
  const std::int64_t now = current_file_size(source, fd);
  if (now >= 0 && static_cast<std::uint64_t>(now) < file_offset + size) {
    lost = std::max(static_cast<std::uint64_t>(now), file_offset);
  }
  throw_system_error(
      EIO, "copy from mapping (file truncated under it; byte " + std::to_string(lost) + " is gone)",
      source != nullptr ? describe(*source) : std::string("mapped file"), file_offset, size);
}

}  // namespace smmap::detail

// Making and undoing the bytes of a region: a read-only shared mapping, or,
// where the file system cannot map the file (ENODEV), a heap copy of them.
//
// Thread safety: thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace smmap::detail {

struct Mapping {
  std::span<const std::byte> bytes;
  bool copied = false;  // bytes is a heap block read with pread, not a mapping
};

// Maps [ofs, ofs + size) of |fd|; |what| names the file in errors.
// REQUIRES: ofs is a multiple of ALLOCATIONGRANULARITY, size > 0 and fits the
// file.
// Throws std::system_error naming the file, offset and size.
Mapping map_or_copy(int fd, const std::string& what, std::uint64_t ofs, std::size_t size);

// Reads [ofs, ofs + size) of |fd| into a new page-aligned heap block: a
// copy window (docs/design.md, "Adaptive windows"), or the stand-in for a
// mapping the file system refuses.
// REQUIRES: size > 0.
// Throws std::system_error naming the file, offset and size on a read error
// or when the file ends before ofs + size (EIO).
Mapping read_copy(int fd, const std::string& what, std::uint64_t ofs, std::size_t size);

// Undoes map_or_copy() and read_copy().
void unmap(const Mapping& mapping) noexcept;

}  // namespace smmap::detail

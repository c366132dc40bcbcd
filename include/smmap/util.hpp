// smmap/util.hpp — small helpers shared by every part of the library.
//
// Thread safety: every function here is thread-safe.
//
//   #include <smmap/util.hpp>
//   std::uint64_t start = smmap::align_to_mmap(5000, false);  // 4096
//   std::uint64_t size = smmap::align_to_mmap(5000, true);    // 8192
//   bool wide = smmap::is_64_bit();
//   smmap::PathOrFd source = std::filesystem::path("pack.idx");
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>

#include "smmap/export.hpp"

namespace smmap {

// Where a file's bytes come from: a path the library opens read-only, or a
// descriptor the caller owns and keeps open.
using PathOrFd = std::variant<std::filesystem::path, int>;

// A readable description of |source| for messages: the path, or "fd N".
SMMAP_API std::string describe(const PathOrFd& source);

// The granularity of mapping offsets on this system: the page size on POSIX,
// the allocation granularity (64 KiB) on Windows.
SMMAP_API std::uint64_t allocation_granularity() noexcept;

// smmap's name for allocation_granularity(), fixed at program start.
inline const std::uint64_t ALLOCATIONGRANULARITY = allocation_granularity();

// Rounds |num| down (round_up == false) or up (round_up == true) to a multiple
// of ALLOCATIONGRANULARITY. align_to_mmap(1, false) == 0,
// align_to_mmap(1, true) == ALLOCATIONGRANULARITY.
constexpr std::uint64_t align_to_mmap(std::uint64_t num, bool round_up,
                                      std::uint64_t granularity) noexcept {
  std::uint64_t aligned = num / granularity * granularity;
  if (round_up && aligned != num) aligned += granularity;
  return aligned;
}
inline std::uint64_t align_to_mmap(std::uint64_t num, bool round_up) noexcept {
  return align_to_mmap(num, round_up, ALLOCATIONGRANULARITY);
}

// True iff pointers are 64 bits wide; the managers' defaults depend on it.
constexpr bool is_64_bit() noexcept {
  return sizeof(void*) >= 8;
}

}  // namespace smmap

// The bytes of every test and demo file: byte |o| of the file with seed |s|
// is byte o % 8 (little-endian) of splitmix64(s + o / 8). Each byte depends on
// its offset, so a read from the wrong place cannot pass unseen, and no two
// pages, windows or files (with seeds 2^40 apart) look alike.
//
// python/smmap/test/lib.py computes the same bytes for seed 0.
//
// Part of smmap_tool_common (the command's demo data), which the test
// helpers of tests/support use too; not part of the library.
//
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace smmap::tools {

constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The byte at |offset| of the file with |seed|.
constexpr std::byte pattern_byte(std::uint64_t seed, std::uint64_t offset) noexcept {
  return static_cast<std::byte>(splitmix64(seed + offset / 8) >> (8 * (offset % 8)));
}

// Fills |out| with the bytes of the file with |seed| from |offset| on.
void fill_pattern(std::uint64_t seed, std::uint64_t offset, std::span<std::byte> out) noexcept;

}  // namespace smmap::tools

// WindowCosts: what this machine charges for one window of a file, mapped or
// copied (docs/design.md, "Adaptive windows"). Machines differ widely here —
// docs/benchmarks.md has one where mapping, touching every page of and
// unmapping 1 MiB costs 767 µs against 85 µs for a pread of it — so adaptive
// windows ask the machine rather than assume.
//
// Thread safety: measure_window_costs() is thread-safe; the override, in the
// library built for tests only, is set while no manager is in use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "platform.hpp"

namespace smmap::detail {

struct WindowCosts {
  std::uint64_t map_ns = 0;   // map the window, read a byte of every page, unmap it
  std::uint64_t copy_ns = 0;  // read the same bytes into a copy window
  // Write the first byte of a page of private memory never written before:
  // what a copy window costs on top of its read while the copy pool grows.
  std::uint64_t fresh_page_ns = 0;
  // Read 64 bytes of the window: what a read-through costs.
  std::uint64_t small_read_ns = 0;
  // True when a window read from end to end is cheaper mapped than copied
  // (so also when nothing could be measured: smmap's way).
  bool mapping_pays() const noexcept { return map_ns <= copy_ns; }
};

// Measures both ways of reading [ofs, ofs + size) of |file|, best of two
// each: two mapped and two copied windows' time; then a fresh page (best of
// 16 pages of one chunk) and a 64-byte read (best of 4). Never throws: a
// failure gives all zeros (no memory for the fresh pages: a fresh_page_ns of
// 0 only); a file system that cannot map gives a map_ns of UINT64_MAX.
// REQUIRES: ofs is a multiple of ALLOCATIONGRANULARITY; size > 0 fits the file.
WindowCosts measure_window_costs(NativeFile file, std::uint64_t ofs, std::size_t size) noexcept;

#ifdef SMMAP_TESTING
// In the library as its tests link it (smmap_testing): while set,
// measure_window_costs() returns |costs| without measuring.
void override_window_costs(std::optional<WindowCosts> costs) noexcept;
#endif

}  // namespace smmap::detail

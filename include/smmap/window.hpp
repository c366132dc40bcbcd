// smmap/window.hpp — MapWindow, the arithmetic of placing a new window.
//
// A MapWindow is a plain [ofs, ofs + size) range of a file. The manager uses
// it to grow a requested range towards its neighbours and align it before
// mapping (docs/design.md, "Obtaining a region"). It owns nothing and maps
// nothing.
//
// Thread safety: a value type; distinct objects may be used concurrently.
//
//   smmap::MapWindow wanted(5000, 100);
//   wanted.extend_left_to(smmap::MapWindow(0, 0), 1 << 20);      // now [0, 5100)
//   wanted.extend_right_to(smmap::MapWindow(1 << 30, 0), 1 << 20);  // 1 MiB
//   wanted.align();
#pragma once

#include <algorithm>
#include <cstdint>

#include "smmap/export.hpp"
#include "smmap/util.hpp"

namespace smmap {

class MapRegion;

struct SMMAP_API MapWindow {
  std::uint64_t ofs = 0;   // first byte of the window in the file
  std::uint64_t size = 0;  // bytes in the window

  constexpr MapWindow() = default;
  constexpr MapWindow(std::uint64_t offset, std::uint64_t length) : ofs(offset), size(length) {}

  // The window a region occupies.
  static MapWindow from_region(const MapRegion& region) noexcept;

  constexpr std::uint64_t ofs_end() const noexcept { return ofs + size; }

  // Aligns the start down and the end up to ALLOCATIONGRANULARITY; the new
  // window contains the old one.
  void align() noexcept {
    const std::uint64_t start = align_to_mmap(ofs, false);
    size = align_to_mmap(size + (ofs - start), true);
    ofs = start;
  }

  // Moves the start left to where |left| ends, growing the window by as much,
  // but not beyond |max_size| in total. The window keeps its end.
  // REQUIRES: left.ofs_end() <= ofs and size <= max_size.
  constexpr void extend_left_to(const MapWindow& left, std::uint64_t max_size) noexcept {
    const std::uint64_t gap = ofs - left.ofs_end();
    const std::uint64_t grow = std::min(gap, max_size - size);
    ofs -= grow;
    size += grow;
  }

  // Moves the end to where |right| starts — growing or shrinking the window —
  // but not beyond |max_size| in total.
  // REQUIRES: right.ofs > ofs.
  constexpr void extend_right_to(const MapWindow& right, std::uint64_t max_size) noexcept {
    size = std::min(right.ofs - ofs, max_size);
  }

  friend constexpr bool operator==(const MapWindow&, const MapWindow&) = default;
};

}  // namespace smmap

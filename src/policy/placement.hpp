// Placing a new window in a file, between the regions already mapped
// (docs/design.md, "Obtaining a region", step 3). Pure arithmetic: nothing is
// mapped.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>

#include "smmap/window.hpp"

namespace smmap::detail {

// The free gap a new window must fit in: from the end of the region before
// the requested offset (or 0) to the start of the region after it (or the
// file's end).
struct Gap {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

// smmap's placement of a window for [offset, offset + size): grown left
// towards gap.begin, then right towards gap.end, to at most |max_window|
// bytes; its start aligned down and its size up to ALLOCATIONGRANULARITY;
// its end clipped to gap.end.
// REQUIRES: gap.begin <= offset < gap.end, 0 < size <= max_window.
MapWindow place_like_smmap(std::uint64_t offset, std::uint64_t size, Gap gap,
                           std::uint64_t max_window) noexcept;

// Moves |window| to start at the lowest multiple of kLargePageSize at or
// after gap.begin from which a window of at most |max_window| bytes, clipped
// at gap.end, still holds [offset, wanted_end). Leaves it as it is when no
// such multiple lies at or before |offset|.
void align_to_large_page(MapWindow& window, Gap gap, std::uint64_t offset, std::uint64_t wanted_end,
                         std::uint64_t max_window) noexcept;

// Where a mapped window for [offset, offset + size) goes in |gap|: smmap's
// placement, windows of at most |max_window| bytes, moved to a large page
// boundary when |align_large| and max_window >= kLargePageSize.
// REQUIRES: gap.begin <= offset < gap.end; 0 < size; 0 < max_window.
MapWindow place_window(std::uint64_t offset, std::uint64_t size, Gap gap, std::uint64_t max_window,
                       bool align_large) noexcept;

// Where a copy window of |bytes| for |offset| goes: from the page of
// |offset|, clipped to |gap|. Region ends in a gap are page multiples or the
// file's end, so both ends stay on the granularity (or at the file's end).
// REQUIRES: gap.begin <= offset < gap.end; bytes > 0.
MapWindow place_copy_window(std::uint64_t offset, std::uint64_t bytes, Gap gap) noexcept;

}  // namespace smmap::detail

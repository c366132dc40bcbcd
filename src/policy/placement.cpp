#include "policy/placement.hpp"

#include <algorithm>

#include "smmap/manager.hpp"
#include "util/check.hpp"

namespace smmap::detail {

MapWindow place_like_smmap(std::uint64_t offset, std::uint64_t size, Gap gap,
                           std::uint64_t max_window) noexcept {
  SMMAP_DCHECK(gap.begin <= offset && offset < gap.end);
  SMMAP_DCHECK(0 < size && size <= max_window);
  MapWindow window(offset, size);
  window.extend_left_to(MapWindow(gap.begin, 0), max_window);
  window.extend_right_to(MapWindow(gap.end, 0), max_window);
  window.align();
  if (window.ofs_end() > gap.end) window.size = gap.end - window.ofs;
  return window;
}

void align_to_large_page(MapWindow& window, Gap gap, std::uint64_t offset, std::uint64_t wanted_end,
                         std::uint64_t max_window) noexcept {
  const std::uint64_t lowest =
      std::max(gap.begin, wanted_end > max_window ? wanted_end - max_window : 0);
  const std::uint64_t start = align_to_mmap(lowest, true, kLargePageSize);
  if (start > offset) return;
  window.ofs = start;
  window.size = std::min(start + max_window, gap.end) - start;
}

MapWindow place_window(std::uint64_t offset, std::uint64_t size, Gap gap, std::uint64_t max_window,
                       bool align_large) noexcept {
  SMMAP_DCHECK(max_window > 0 && size > 0);
  const std::uint64_t wanted = std::min(size, max_window);
  MapWindow window = place_like_smmap(offset, wanted, gap, max_window);
  if (align_large && max_window >= kLargePageSize) {
    align_to_large_page(window, gap, offset, std::min(offset + wanted, gap.end), max_window);
  }
  return window;
}

MapWindow place_copy_window(std::uint64_t offset, std::uint64_t bytes, Gap gap) noexcept {
  SMMAP_DCHECK(gap.begin <= offset && offset < gap.end && bytes > 0);
  const std::uint64_t page = align_to_mmap(offset, false);
  const std::uint64_t begin = std::max(page, gap.begin);
  const std::uint64_t end = std::min(align_to_mmap(page + bytes, true), gap.end);
  return MapWindow(begin, end - begin);
}

}  // namespace smmap::detail

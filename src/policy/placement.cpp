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

}  // namespace smmap::detail

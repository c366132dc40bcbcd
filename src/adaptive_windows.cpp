// Adaptive windows: the ManagerCore hooks that consult and feed each file's
// AccessPattern (docs/design.md, "Adaptive windows").
#include <algorithm>

#include "manager_core.hpp"

namespace smmap::detail {

bool ManagerCore::wants_copy_window_locked(FileEntry& entry, std::uint64_t offset,
                                           std::uint64_t size, bool sized) {
  const std::uint64_t window = limits_.largest_window;
  if (!adaptive_ || window == 0) return false;  // whole files are never copied
  // Misses closer than half a window to the previous one are near: one
  // mapped window would have held both.
  const std::uint64_t near_bytes = std::max(window / 2, ALLOCATIONGRANULARITY);
  if (entry.pattern_.on_miss(offset, near_bytes)) ++stats_.switches_to_map;
  if (entry.pattern_.take_fresh_switch()) drop_mapped_windows_locked(entry);
  // A request without a size keeps smmap's meaning, as many bytes as the
  // window allows; a large one is cheaper mapped than copied.
  const std::uint64_t pages = align_to_mmap(offset + size, true) - align_to_mmap(offset, false);
  return entry.pattern_.copying() && sized && pages <= std::max(window / 4, ALLOCATIONGRANULARITY);
}

MapWindow ManagerCore::place_copy_window_locked(const FileEntry& entry, std::uint64_t offset,
                                                std::uint64_t size) const {
  const Gap gap = gap_locked(entry, offset);
  // Region ends are page multiples or the file's end, which lies past
  // |offset|, so the start stays on the granularity.
  const std::uint64_t begin = std::max(align_to_mmap(offset, false), gap.begin);
  const std::uint64_t end = std::min(align_to_mmap(offset + size, true), gap.end);
  return MapWindow(begin, end - begin);
}

void ManagerCore::clear_copy_windows_locked(FileEntry& entry, std::uint64_t begin,
                                            std::uint64_t end) {
  if (stats_.copy_windows == 0) return;  // never made one
  auto at = entry.regions_.upper_bound(begin);
  if (at != entry.regions_.begin() && std::prev(at)->second.ofs_end() > begin) --at;
  while (at != entry.regions_.end() && at->first < end) {
    ManagedRegion& region = (at++)->second;  // erased below
    if (!region.copy_window_ || region.pins() != 0) continue;
    unmap_locked(&region);
    ++stats_.unmaps_by_eviction;
  }
}

void ManagerCore::drop_mapped_windows_locked(FileEntry& entry) {
  for (auto at = entry.regions_.begin(); at != entry.regions_.end();) {
    ManagedRegion& region = (at++)->second;  // erased below
    if (region.is_copy() || region.pins() != 0) continue;
    unmap_locked(&region);
    ++stats_.unmaps_by_eviction;
  }
}

void ManagerCore::note_eviction_locked(const ManagedRegion& region) {
  if (!adaptive_ || region.is_copy()) return;
  if (region.owner().pattern_.on_mapped_eviction(region.uses_)) ++stats_.switches_to_copy;
}

}  // namespace smmap::detail

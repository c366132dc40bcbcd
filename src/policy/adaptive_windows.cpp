// Adaptive windows: the ManagerCore hooks that consult and feed each file's
// AccessPattern, and measure the machine's window costs once (docs/design.md,
// "Adaptive windows").
#include <algorithm>

#include "core/manager_core.hpp"
#include "policy/window_costs.hpp"
#include "port/memory.hpp"

namespace smmap::detail {
namespace {

// The largest copy window, and the largest window the costs are measured on:
// the largest block of the copy pool (core/copy_blocks.cpp), one chunk. A
// larger request is left to a mapped window, and a larger window costs what
// this much costs, times its size.
constexpr std::uint64_t kMaxCopyWindow = kChunkSize;

}  // namespace

std::uint64_t ManagerCore::copy_window_bytes_locked(FileEntry& entry, std::uint64_t offset,
                                                    std::uint64_t size, bool sized,
                                                    std::uint64_t previous_uses) {
  const std::uint64_t window = limits_.largest_window;
  if (!adaptive_ || window == 0) return 0;  // whole files are never copied
  AccessPattern& pattern = entry.pattern_;
  // Near: one mapped window would have held both misses. Mapping, a scan's
  // next miss lands a window on; copying, within half a window.
  const std::uint64_t near_bytes =
      pattern.copying() ? std::max(window / 2, ALLOCATIONGRANULARITY) : window + 1;
  // The machine's costs matter only to near misses; measure them at the first.
  const bool pays = pattern.is_near(offset, near_bytes) ? mapping_pays_locked(entry, offset) : true;
  switch (pattern.on_miss(offset, near_bytes, pays)) {
    case AccessPattern::Switch::kToCopy:
      ++stats_.switches_to_copy;
      break;
    case AccessPattern::Switch::kToMap:
      ++stats_.switches_to_map;
      break;
    case AccessPattern::Switch::kNone:
      break;
  }
  if (pattern.take_fresh_switch()) drop_mapped_windows_locked(entry);
  // A request without a size keeps smmap's meaning, as many bytes as the
  // window allows; a large one is cheaper mapped than copied.
  const std::uint64_t begin = align_to_mmap(offset, false);
  const std::uint64_t pages = align_to_mmap(offset + size, true) - begin;
  const std::uint64_t cap = std::min(window, kMaxCopyWindow);
  if (!pattern.copying() || !sized ||
      pages > std::max(std::min(window / 4, cap), ALLOCATIONGRANULARITY)) {
    return 0;
  }
  // Copy windows that grow for clustered or sequential reads stop at the
  // window size, as mapped ones do, or at the largest copy window.
  // Whole pages, so that the room made for them is the room the window takes.
  return align_to_mmap(pattern.copy_window_size(offset, offset + size, pages, cap, previous_uses),
                       true);
}

MapWindow ManagerCore::place_copy_window_locked(const FileEntry& entry, std::uint64_t offset,
                                                std::uint64_t bytes,
                                                FileEntry::RegionMap::const_iterator next) const {
  const Gap gap = gap_before(entry, next);
  // Region ends are page multiples or the file's end, which lies past
  // |offset|, so the start stays on the granularity; so does the end.
  const std::uint64_t begin = std::max(align_to_mmap(offset, false), gap.begin);
  const std::uint64_t end =
      std::min(align_to_mmap(align_to_mmap(offset, false) + bytes, true), gap.end);
  return MapWindow(begin, end - begin);
}

bool ManagerCore::mapping_pays_locked(const FileEntry& entry, std::uint64_t offset) {
  if (!window_costs_measured_) {
    if (entry.file() == kNoFile) return true;  // closed by the budget: ask again later
    const std::uint64_t begin = align_to_mmap(offset, false);
    const std::uint64_t size =
        std::min({limits_.largest_window, kMaxCopyWindow, entry.file_size() - begin});
    const WindowCosts costs =
        measure_window_costs(entry.file(), begin, static_cast<std::size_t>(size));
    window_costs_measured_ = true;
    mapping_pays_ = costs.mapping_pays();
    stats_.window_map_ns = costs.map_ns;
    stats_.window_copy_ns = costs.copy_ns;
  }
  return mapping_pays_;
}

void ManagerCore::clear_copy_windows_locked(FileEntry& entry, std::uint64_t begin,
                                            std::uint64_t end) {
  if (stats_.copy_windows == 0) return;  // never made one
  auto at = entry.regions_.upper_bound(begin);
  if (at != entry.regions_.begin() && std::prev(at)->second.ofs_end() > begin) --at;
  while (at != entry.regions_.end() && at->first < end) {
    ManagedRegion& region = (at++)->second;  // erased below
    if (!region.copy_window_ || region.pins() != 0) continue;
    unmap_counted_locked(&region, stats_.unmaps_by_eviction);
  }
}

void ManagerCore::drop_mapped_windows_locked(FileEntry& entry) {
  for (auto at = entry.regions_.begin(); at != entry.regions_.end();) {
    ManagedRegion& region = (at++)->second;  // erased below
    if (region.is_copy() || region.pins() != 0) continue;
    unmap_counted_locked(&region, stats_.unmaps_by_eviction);
  }
}

void ManagerCore::note_eviction_locked(const ManagedRegion& region) {
  // Whole files are never copied, so their evictions teach nothing.
  if (!adaptive_ || limits_.largest_window == 0 || region.is_copy()) return;
  const bool pays = mapping_pays_locked(region.owner(), region.ofs_begin());
  if (region.owner().pattern_.on_mapped_eviction(region.uses_, pays)) ++stats_.switches_to_copy;
}

}  // namespace smmap::detail

// smmap/stats.hpp — ManagerStats, counters a manager keeps about its work.
//
// A snapshot, copied out by SlidingWindowMapManager::stats(). Counters only
// grow; peaks are the highest values seen since the manager was made; the
// window costs are measured once, and 0 until then.
//
// Cursor hits are counted by each cursor without any lock and added to the
// manager's total when the cursor next talks to the manager: when it needs
// another region, releases its region, or is destroyed.
//
// Thread safety: a value type.
//
//   #include <smmap/manager.hpp>
//   smmap::SlidingWindowMapManager manager;
//   smmap::ManagerStats s = manager.stats();
//   double hit_rate = double(s.cursor_hits + s.region_hits) /
//                     double(s.cursor_hits + s.region_hits + s.maps);
#pragma once

#include <cstdint>
#include <iosfwd>

namespace smmap {

struct ManagerStats {
  std::uint64_t cursor_hits = 0;         // use_region served by the cursor's own region
  std::uint64_t region_hits = 0;         // served by another live region of the file
  std::uint64_t maps = 0;                // new regions made
  std::uint64_t copies = 0;              // of those, regions read into memory with pread
  std::uint64_t copy_windows = 0;        // of those, copy windows of adaptive windows (the
                                         // rest: files that cannot be mapped); maps - copies
                                         // were mmap'ed
  std::uint64_t switches_to_copy = 0;    // files the detector moved to copy windows
  std::uint64_t switches_to_map = 0;     // files it moved back to mapped windows
  std::uint64_t window_map_ns = 0;       // measured cost of mapping, touching and unmapping
                                         // one window (0: not measured)
  std::uint64_t window_copy_ns = 0;      // measured cost of reading the same window into a
                                         // copy window (0: not measured)
  std::uint64_t unmaps_by_eviction = 0;  // regions unmapped to stay under a limit
  std::uint64_t unmaps_by_collect = 0;   // regions unmapped by collect()
  std::uint64_t map_retries = 0;         // failed maps retried after freeing every unused region
  std::uint64_t peak_mapped_bytes = 0;   // highest mapped_memory_size()
  std::uint64_t peak_regions = 0;        // highest num_file_handles()
  std::uint64_t replaced_files = 0;      // make_cursor found a file replaced or resized
  std::uint64_t descriptor_closes = 0;   // descriptors closed to stay within the budget
  std::uint64_t descriptor_reopens = 0;  // of those, reopened to map a window
};

// Every counter of ManagerStats with its name, in declaration order: the one
// list that printing, the command and the Python binding go by.
struct ManagerStatsField {
  const char* name;   // "cursor_hits"
  const char* label;  // "cursor hits", as operator<< prints it
  std::uint64_t ManagerStats::*member;
};
inline constexpr ManagerStatsField kManagerStatsFields[] = {
    {"cursor_hits", "cursor hits", &ManagerStats::cursor_hits},
    {"region_hits", "region hits", &ManagerStats::region_hits},
    {"maps", "maps", &ManagerStats::maps},
    {"copies", "copies (read with pread)", &ManagerStats::copies},
    {"copy_windows", "copy windows (adaptive)", &ManagerStats::copy_windows},
    {"switches_to_copy", "switches to copy windows", &ManagerStats::switches_to_copy},
    {"switches_to_map", "switches to mapped windows", &ManagerStats::switches_to_map},
    {"window_map_ns", "ns to map a window", &ManagerStats::window_map_ns},
    {"window_copy_ns", "ns to copy a window", &ManagerStats::window_copy_ns},
    {"unmaps_by_eviction", "unmaps by eviction", &ManagerStats::unmaps_by_eviction},
    {"unmaps_by_collect", "unmaps by collect", &ManagerStats::unmaps_by_collect},
    {"map_retries", "map retries", &ManagerStats::map_retries},
    {"peak_mapped_bytes", "peak mapped bytes", &ManagerStats::peak_mapped_bytes},
    {"peak_regions", "peak regions", &ManagerStats::peak_regions},
    {"replaced_files", "replaced files", &ManagerStats::replaced_files},
    {"descriptor_closes", "descriptor closes", &ManagerStats::descriptor_closes},
    {"descriptor_reopens", "descriptor reopens", &ManagerStats::descriptor_reopens},
};

// One line per counter, "name: value".
std::ostream& operator<<(std::ostream& out, const ManagerStats& stats);

}  // namespace smmap

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

#include "smmap/export.hpp"

namespace smmap {

struct ManagerStats {
  // use_region() served by the cursor's own region (the lock-free hit path;
  // SlidingWindowMapBuffer's reads count too).
  std::uint64_t cursor_hits = 0;
  // use_region() served by another live region of the file: an unused one,
  // or one other cursors pin.
  std::uint64_t region_hits = 0;
  // Regions made: mapped, or read into memory (the next two counters).
  std::uint64_t maps = 0;
  // Of those, regions read into memory with pread (ReadFile on Windows):
  // copy windows, and windows of files that cannot be mapped. maps - copies
  // were mapped.
  std::uint64_t copies = 0;
  // Of those, the copy windows of adaptive windows; copies - copy_windows
  // were made for files that cannot be mapped.
  std::uint64_t copy_windows = 0;
  // Small requests read straight into the cursor's own memory (a
  // read-through, SlidingWindowMapManager::set_adaptive()): no region made,
  // no page cached. Not counted in maps.
  std::uint64_t read_throughs = 0;
  // Windows mapped ahead of a scan, off the reader's thread, with their
  // pages prepared (adaptive windows). Counted in maps too.
  std::uint64_t prefetches = 0;
  // Times a file's detector switched it to copy windows (after wasted mapped
  // windows, or near misses where mapping does not pay).
  std::uint64_t switches_to_copy = 0;
  // Times a file's detector switched it back to mapped windows.
  std::uint64_t switches_to_map = 0;
  // The measured cost of mapping one window, reading a byte of each of its
  // pages and unmapping it; 0 until measured, or when the measurement failed;
  // UINT64_MAX where the file system cannot map.
  std::uint64_t window_map_ns = 0;
  // The measured cost of reading the same window into a copy window; 0 as
  // window_map_ns (never UINT64_MAX).
  std::uint64_t window_copy_ns = 0;
  // Measured with them: the first write of a page of private memory never
  // written before, and a 64-byte read of the file. While few requests are
  // served, far small misses are read through and one in 64 is cached to see
  // whether pages are read again; one in 64 x fresh_page_ns / small_read_ns
  // (at most one in 1,024) where a fresh page costs more than a read. 0 as
  // window_map_ns.
  std::uint64_t fresh_page_ns = 0;
  std::uint64_t small_read_ns = 0;
  // Bytes copy windows hold now, and at most since the manager was made:
  // private memory, within max_copy_memory() (the copy budget). A copy window
  // holds the block it is read into, a power of two of at least its size
  // up to 2 MiB.
  std::uint64_t copy_window_bytes = 0;
  std::uint64_t peak_copy_window_bytes = 0;
  // Requests that would have had a copy window but got a mapped one, the
  // copy budget being full of copy windows in use.
  std::uint64_t copy_budget_full = 0;
  // Regions the manager unmapped on its own: unused ones, coldest first, to
  // make room under the memory or handle limit for a new region; every
  // unused region before retrying a failed map, or an open that ran out of
  // descriptors; a file's unused copy windows in the way of a mapped window
  // for a request without a size; a file's unused mapped windows when it
  // switches to copy windows; a copy window a cursor has read past (a scan
  // moving on); and the regions of a replaced file when its last cursor goes.
  std::uint64_t unmaps_by_eviction = 0;
  // Regions unmapped by collect() and collect_lru_region(), the unused copy
  // windows set_max_copy_memory() evicts, and the unused regions
  // force_map_handle_removal_win() unmaps (Windows).
  std::uint64_t unmaps_by_collect = 0;
  // Second attempts after a failure: a map (mapped or copy window) that
  // failed, retried after unmapping every unused region; opening a file
  // (make_cursor) that ran out of descriptors, retried after unmapping every
  // unused region and closing every descriptor the manager holds; reopening
  // a file whose descriptor the budget closed, out of descriptors, retried
  // after closing every descriptor the manager holds.
  std::uint64_t map_retries = 0;
  std::uint64_t peak_mapped_bytes = 0;  // highest mapped_memory_size()
  std::uint64_t peak_regions = 0;       // highest num_file_handles()
  // make_cursor() found that the file had changed since its entry was made
  // (another device, inode, size or modification time) and made a fresh one.
  std::uint64_t replaced_files = 0;
  // Descriptors of files opened from paths closed while their entry lives:
  // the least recently used ones over the descriptor budget (also when
  // set_max_open_descriptors() lowers it), and all of them when opening or
  // reopening a file ran out of descriptors.
  std::uint64_t descriptor_closes = 0;
  // Of those, descriptors opened again to map a window.
  std::uint64_t descriptor_reopens = 0;
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
    {"read_throughs", "read-throughs", &ManagerStats::read_throughs},
    {"prefetches", "prefetches", &ManagerStats::prefetches},
    {"switches_to_copy", "switches to copy windows", &ManagerStats::switches_to_copy},
    {"switches_to_map", "switches to mapped windows", &ManagerStats::switches_to_map},
    {"window_map_ns", "ns to map a window", &ManagerStats::window_map_ns},
    {"window_copy_ns", "ns to copy a window", &ManagerStats::window_copy_ns},
    {"fresh_page_ns", "ns to write a fresh page", &ManagerStats::fresh_page_ns},
    {"small_read_ns", "ns to read 64 bytes", &ManagerStats::small_read_ns},
    {"copy_window_bytes", "copy window bytes", &ManagerStats::copy_window_bytes},
    {"peak_copy_window_bytes", "peak copy window bytes", &ManagerStats::peak_copy_window_bytes},
    {"copy_budget_full", "copy budget full", &ManagerStats::copy_budget_full},
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
SMMAP_API std::ostream& operator<<(std::ostream& out, const ManagerStats& stats);

}  // namespace smmap

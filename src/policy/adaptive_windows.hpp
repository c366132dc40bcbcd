// AdaptiveWindows: a manager's choice, at each miss, between a mapped window
// and a copy window (docs/design.md, "Adaptive windows"). It consults and
// feeds each file's AccessPattern, measures the machine's window costs once
// (WindowCosts) at the first near miss or mapped eviction that needs them,
// and counts its switches. It decides; the manager maps, copies and unmaps.
//
// Thread safety: none; the manager's mutex guards it and the patterns it is
// given.
#pragma once

#include <cstddef>
#include <cstdint>

#include "platform.hpp"
#include "policy/access_pattern.hpp"
#include "policy/window_costs.hpp"
#include "smmap/stats.hpp"

namespace smmap::detail {

// A file as the policy sees it: its pattern, and the file to measure the
// machine's costs on (kNoFile while closed: they are measured later).
struct FileToPlace {
  AccessPattern& pattern;
  NativeFile file;
  std::uint64_t file_size;
};

class AdaptiveWindows {
 public:
  using Measure = WindowCosts (*)(NativeFile, std::uint64_t, std::size_t) noexcept;

  // For windows of at most |largest_window| bytes (0: whole files, never
  // copied); |measure| measures the machine's costs.
  explicit AdaptiveWindows(std::uint64_t largest_window, bool enabled,
                           Measure measure = &measure_window_costs) noexcept
      : largest_window_(largest_window), enabled_(enabled), measure_(measure) {}

  bool enabled() const noexcept { return enabled_; }
  void set_enabled(bool enabled) noexcept { enabled_ = enabled; }
  // Whether small far misses of a copying file may be read through (on by
  // default); off, every one gets a copy window.
  bool read_through() const noexcept { return read_through_; }
  void set_read_through(bool read_through) noexcept { read_through_ = read_through; }

  struct Choice {
    // Bytes from the page of the offset a copy window should hold; 0 for a
    // mapped window.
    std::uint64_t copy_bytes = 0;
    // The file just switched to copy windows: its unused mapped windows
    // should go now (hits on them would still fault page by page).
    bool drop_mapped_windows = false;
    // Read exactly the requested bytes into the cursor's memory instead
    // (copy_bytes is then 0).
    bool read_through = false;
    // A scan running on from window to window where mapping pays: the
    // mapped window made for this miss should have the next one prepared
    // ahead of the reader (copy_bytes is then 0).
    bool prefetch_next = false;
  };
  // A request for [offset, offset + size) of |file| missed every live
  // region. |sized|: the client asked for |size| bytes rather than as many
  // as the window allows. |previous_uses|: requests served by the copy
  // window the cursor just left (0 if none).
  Choice on_miss(const FileToPlace& file, std::uint64_t offset, std::uint64_t size, bool sized,
                 std::uint64_t previous_uses) noexcept;
  // A mapped window of |file| at |offset| was evicted having served |uses|
  // requests.
  void on_mapped_eviction(const FileToPlace& file, std::uint64_t offset,
                          std::uint64_t uses) noexcept;

  // Sets its counts in |stats|: switches_to_copy, switches_to_map and the
  // measured costs (window_map_ns, window_copy_ns, fresh_page_ns,
  // small_read_ns).
  void fill_stats(ManagerStats& stats) const noexcept;

 private:
  // Whether a window read from end to end is cheaper mapped than copied on
  // this machine, measured once on |file|.
  bool mapping_pays(const FileToPlace& file, std::uint64_t offset) noexcept;
  // While few requests are served, one far miss in this many is cached all
  // the same (AccessPattern::reads_through()).
  unsigned far_misses_per_sample() const noexcept;

  const std::uint64_t largest_window_;
  bool enabled_;
  bool read_through_ = true;
  const Measure measure_;
  bool costs_measured_ = false;
  WindowCosts costs_;
  std::uint64_t switches_to_copy_ = 0;
  std::uint64_t switches_to_map_ = 0;
};

}  // namespace smmap::detail

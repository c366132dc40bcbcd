#include "policy/adaptive_windows.hpp"

#include <algorithm>

#include "port/memory.hpp"
#include "smmap/util.hpp"

namespace smmap::detail {
namespace {

// The largest copy window, and the largest window the costs are measured on:
// the largest block of the copy pool (core/copy_blocks.cpp), one chunk. A
// larger request is left to a mapped window, and a larger window costs what
// this much costs, times its size.
constexpr std::uint64_t kMaxCopyWindow = kChunkSize;
// The most a copy window grows past the request for reads that run on (a
// cluster, a scan). A scan copies each window twice, into the window and out
// of it; a window that fits a core's L2 cache (256 KiB to 2 MiB on current
// x86-64 and ARM64 cores) is copied out of the cache, not out of memory
// (docs/benchmarks.md, "Scans through copy windows").
constexpr std::uint64_t kMostGrownCopyWindow = 256 * 1024;
// However costly fresh pages are, one far miss in this many is cached while
// few requests are served: a set of pages read again still shows, later.
constexpr std::uint64_t kMostFarMissesPerSample = 16 * AccessPattern::kCacheEvery;

}  // namespace

AdaptiveWindows::Choice AdaptiveWindows::on_miss(const FileToPlace& file, std::uint64_t offset,
                                                 std::uint64_t size, bool sized,
                                                 std::uint64_t previous_uses) noexcept {
  const std::uint64_t window = largest_window_;
  if (!enabled_ || window == 0) return {};  // whole files are never copied
  AccessPattern& pattern = file.pattern;
  // Near: one mapped window would have held both misses. Mapping, a scan's
  // next miss lands a window on; copying, within half a window, or running
  // on from the last copy window (which grows up to the window).
  const std::uint64_t near_bytes =
      pattern.copying() ? std::max({window / 2, ALLOCATIONGRANULARITY, pattern.run_on_bytes()})
                        : window + 1;
  // The machine's costs matter only to near misses; measure them at the first.
  const bool near = pattern.is_near(offset, near_bytes);
  const bool pays = near ? mapping_pays(file, offset) : true;
  switch (pattern.on_miss(offset, near_bytes, pays)) {
    case AccessPattern::Switch::kToCopy:
      ++switches_to_copy_;
      break;
    case AccessPattern::Switch::kToMap:
      ++switches_to_map_;
      break;
    case AccessPattern::Switch::kNone:
      break;
  }
  Choice choice;
  choice.drop_mapped_windows = pattern.take_fresh_switch();
  choice.prefetch_next = pattern.scanning() && pays && !pattern.copying();
  // A request without a size keeps smmap's meaning, as many bytes as the
  // window allows; a large one is cheaper mapped than copied.
  const std::uint64_t begin = align_to_mmap(offset, false);
  const std::uint64_t end = std::min(offset + size, file.file_size);
  const std::uint64_t pages = align_to_mmap(end, true) - begin;
  const std::uint64_t cap = std::min(window, kMaxCopyWindow);
  if (!pattern.copying() || !sized ||
      pages > std::max(std::min(window / 4, cap), ALLOCATIONGRANULARITY)) {
    return choice;
  }
  // A request of at most a page far from the last miss, on a file whose
  // pages are seldom read again: its bytes alone. (One that crosses into the
  // next page too: its pages are as seldom read again, and would take a
  // two-page block.)
  if (read_through_ && end - offset <= ALLOCATIONGRANULARITY &&
      pattern.reads_through(near, far_misses_per_sample())) {
    choice.read_through = true;
    return choice;
  }
  // Copy windows that grow for clustered or sequential reads stop at the
  // window size, as mapped ones do, or at the largest copy window.
  // Whole pages, so that the room made for them is the room the window takes.
  choice.copy_bytes =
      align_to_mmap(pattern.copy_window_size(offset, end, pages,
                                             std::min(cap, kMostGrownCopyWindow), previous_uses),
                    true);
  return choice;
}

void AdaptiveWindows::on_mapped_eviction(const FileToPlace& file, std::uint64_t offset,
                                         std::uint64_t uses) noexcept {
  // Whole files are never copied, so their evictions teach nothing.
  if (!enabled_ || largest_window_ == 0) return;
  if (file.pattern.on_mapped_eviction(uses, mapping_pays(file, offset))) ++switches_to_copy_;
}

bool AdaptiveWindows::mapping_pays(const FileToPlace& file, std::uint64_t offset) noexcept {
  if (!costs_measured_) {
    if (file.file == kNoFile) return true;  // closed by the budget: ask again later
    const std::uint64_t begin = align_to_mmap(offset, false);
    const std::uint64_t size = std::min({largest_window_, kMaxCopyWindow, file.file_size - begin});
    costs_ = measure_(file.file, begin, static_cast<std::size_t>(size));
    costs_measured_ = true;
  }
  return costs_.mapping_pays();
}

unsigned AdaptiveWindows::far_misses_per_sample() const noexcept {
  // A cached far miss costs a page of memory on top of its read, fresh while
  // the copy pool grows. Sampled one in kCacheEvery, or less often where a
  // fresh page costs more than a read, the samples' fresh pages cost at
  // most what one read in kCacheEvery costs (on a machine where a fresh page
  // costs 11 µs and a read 2 µs, one far miss in 352 is sampled).
  constexpr std::uint64_t every = AccessPattern::kCacheEvery;
  if (costs_.small_read_ns == 0 || costs_.fresh_page_ns <= costs_.small_read_ns) return every;
  const std::uint64_t scaled = every * costs_.fresh_page_ns / costs_.small_read_ns;
  return static_cast<unsigned>(std::min(scaled, kMostFarMissesPerSample));
}

void AdaptiveWindows::fill_stats(ManagerStats& stats) const noexcept {
  stats.switches_to_copy = switches_to_copy_;
  stats.switches_to_map = switches_to_map_;
  stats.window_map_ns = costs_.map_ns;
  stats.window_copy_ns = costs_.copy_ns;
  stats.fresh_page_ns = costs_.fresh_page_ns;
  stats.small_read_ns = costs_.small_read_ns;
}

}  // namespace smmap::detail

// AccessPattern: one file's detector for adaptive windows (docs/design.md,
// "Adaptive windows"). It watches what the manager already sees, and is told
// whether mapping pays on this machine (WindowCosts, measured once):
//
// - mapped windows of the file evicted by the LRU, with how many requests
//   each served (pins plus cursor hits). Several wasted in a row switch the
//   file to copy windows. A window is wasted when it served only a few
//   requests (sparse random access under the memory limit: every mmap, fault
//   and munmap bought one or two reads), or whatever it served when mapping
//   does not pay: reading its bytes into a copy window would have cost less.
// - requests that miss every live region. Misses near the previous one mean
//   reads that cluster or run on. While mapping, they clear the count of
//   wasted windows when mapping pays, and switch the file to copy windows
//   when it does not. While copying, a few in a row switch the file back to
//   mapping when mapping pays.
// - in copy mode, whether a small request that missed far from the previous
//   miss is worth a page of cache at all. Requests served without reading
//   (hits on live regions and on the cursor's own bytes) against requests
//   that read: while fewer than half are served, such a miss is read
//   through (exactly its bytes, into the cursor's memory), all but one in
//   kCacheEvery (or more, as the caller says), whose page is cached so that
//   a set of pages read again and again still shows in the count; and so is
//   a near miss unless the miss before was near too.
// - in copy mode, how large each copy window should be: a miss that runs on
//   from the previous copy window gets one twice as large (up to a cap), and
//   the first miss of a run gets what the file's previous runs needed. A run
//   that a single window served with one request halves that size.
//
// Pure bookkeeping: it never maps, reads or locks.
//
// Thread safety: guarded by the manager's mutex, like the file entry it
// belongs to.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

namespace smmap::detail {

class AccessPattern {
 public:
  // A mapped window that served at most this many requests was wasted.
  static constexpr std::uint64_t kFewUses = 4;
  // This many wasted windows in a row switch the file to copy windows.
  static constexpr unsigned kWastedToCopy = 4;
  // This many misses in a row, each near the one before, switch it back
  // (when mapping pays) ...
  static constexpr unsigned kNearToMap = 3;
  // ... or, mapping, switch it to copy windows (when mapping does not pay).
  static constexpr unsigned kNearToCopy = 2;
  // This many near misses in a row, each ahead of the one before, are a scan.
  static constexpr unsigned kAheadToScan = 2;
  // While few requests are served without reading, one far miss in this
  // many is cached all the same.
  static constexpr unsigned kCacheEvery = 64;
  // ... and near misses only from this many in a row.
  static constexpr unsigned kNearToCache = 2;
  // The served and read counts are halved when their sum reaches this, so
  // they follow the last few thousand requests.
  static constexpr std::uint64_t kRequestsRemembered = 4096;

  enum class Switch { kNone, kToCopy, kToMap };

  // True when small requests of the file are served by copy windows.
  bool copying() const noexcept { return copying_; }

  // A mapped window of the file was evicted having served |uses| requests.
  bool on_mapped_eviction(std::uint64_t uses, bool mapping_pays) noexcept {
    if (uses > kFewUses && mapping_pays) {
      wasted_ = 0;
      return false;
    }
    if (copying_ || ++wasted_ < kWastedToCopy) return false;
    switch_to_copy();
    return true;
  }

  // True once after each switch to copy windows: the file's unused mapped
  // windows should go now. Hits on them would still fault page by page,
  // which costs more than the reads a window serves in this mode.
  bool take_fresh_switch() noexcept { return std::exchange(fresh_, false); }

  // True when a miss at |offset| lands within |near_bytes| of the previous
  // one: the misses for which the machine's costs matter.
  bool is_near(std::uint64_t offset, std::uint64_t near_bytes) const noexcept {
    return distance_to_last(offset) < near_bytes;
  }

  // A request at |offset| missed every live region of the file; misses
  // closer than |near_bytes| bytes to the previous one count as near (the
  // caller allows a whole window while mapping: a scan's next miss lands one
  // window on).
  Switch on_miss(std::uint64_t offset, std::uint64_t near_bytes, bool mapping_pays) noexcept {
    const bool near = distance_to_last(offset) < near_bytes;
    ahead_ = near && offset > last_miss_ ? ahead_ + 1 : 0;
    last_miss_ = offset;
    count(0, 1);
    near_ = near ? near_ + 1 : 0;
    if (!copying_) {
      if (!near) return Switch::kNone;
      if (mapping_pays) {
        // A scan moving from window to window, or a cluster: windows
        // evicted with few reads were not wasted on sparse access.
        wasted_ = 0;
        return Switch::kNone;
      }
      if (near_ < kNearToCopy) return Switch::kNone;
      switch_to_copy();
      return Switch::kToCopy;
    }
    if (!mapping_pays || near_ < kNearToMap) return Switch::kNone;
    copying_ = false;
    fresh_ = false;
    wasted_ = 0;
    near_ = 0;
    return Switch::kToMap;
  }

  // True when the last two misses each landed ahead of the one before and
  // near it: a scan moving from window to window (a cluster that crosses a
  // window's end makes one such miss, not two).
  bool scanning() const noexcept { return ahead_ >= kAheadToScan; }

  // |requests| were served without reading the file: hits on the cursor's
  // own region, or on another live region.
  void on_served(std::uint64_t requests) noexcept { count(requests, 0); }

  // Copy mode: whether a small request that missed, |near| the previous
  // miss or not, is read through rather than cached in a copy window. While
  // few requests are served, a near miss is cached only when the miss before
  // was near too: one near miss alone is as likely sparse reads landing
  // close by chance (1 in 64 of uniform reads over a 64 MiB file, 1 MiB
  // windows) as the start of a run, and a run's next miss still shows.
  // A far one is cached one in |far_misses_per_sample| (kCacheEvery or more:
  // AdaptiveWindows weighs the machine's costs).
  bool reads_through(bool near, unsigned far_misses_per_sample = kCacheEvery) noexcept {
    if (served_ >= read_) return false;
    if (near) return near_ < kNearToCache;
    return ++far_misses_ % far_misses_per_sample != 0;
  }

  // Copy mode: how many bytes the copy window for a miss at [offset, end)
  // should hold, from the page of |offset|: at least |wanted| (the request's
  // pages) and at most max(wanted, |cap|). |previous_uses|: the requests the
  // cursor's previous copy window of this file served, 0 when unknown.
  std::uint64_t copy_window_size(std::uint64_t offset, std::uint64_t end, std::uint64_t wanted,
                                 std::uint64_t cap, std::uint64_t previous_uses) noexcept {
    const std::uint64_t last_size = window_end_ - window_begin_;
    // Running on: the miss lands in or just after the previous copy window.
    if (window_end_ != 0 && offset >= window_begin_ &&
        offset < window_end_ + std::max(last_size, kRunSlack)) {
      run_reach_ = std::max(run_reach_, end);
      return std::max(wanted, std::min(cap, 2 * last_size));
    }
    // A new run: learn from the one that ended. A run that needed several
    // windows needed its reach, and the next may reach further (a quarter
    // more is allowed); one window that served a single request was too
    // large; one that served more may have been, a little.
    if (run_windows_ > 1) {
      const std::uint64_t reach = run_reach_ - run_begin_;
      learned_ = std::min(cap, reach + reach / 4);
    } else if (previous_uses == 1) {
      learned_ /= 2;
    } else if (previous_uses > 1) {
      learned_ -= learned_ / 32;
    }
    run_windows_ = 0;
    run_reach_ = end;
    return std::max(wanted, std::min(cap, learned_));
  }

  // Copy mode: how far from the start of the last copy window a miss may
  // land and still run on from it (see copy_window_size()); 0 before any.
  std::uint64_t run_on_bytes() const noexcept {
    const std::uint64_t last_size = window_end_ - window_begin_;
    return last_size == 0 ? 0 : last_size + std::max(last_size, kRunSlack);
  }

  // Copy mode: a copy window [begin, begin + size) was made for the file.
  void on_copy_window(std::uint64_t begin, std::uint64_t size) noexcept {
    if (run_windows_++ == 0) run_begin_ = begin;
    window_begin_ = begin;
    window_end_ = begin + size;
  }

 private:
  static constexpr std::uint64_t kNoMiss = std::numeric_limits<std::uint64_t>::max();
  // A miss this close past the previous copy window still runs on from it
  // (or as close as that window's size, if larger).
  static constexpr std::uint64_t kRunSlack = 16 * 1024;

  void count(std::uint64_t served, std::uint64_t read) noexcept {
    served_ += served;
    read_ += read;
    while (served_ + read_ >= kRequestsRemembered) {
      served_ /= 2;
      read_ /= 2;
    }
  }

  std::uint64_t distance_to_last(std::uint64_t offset) const noexcept {
    if (last_miss_ == kNoMiss) return kNoMiss;
    return offset > last_miss_ ? offset - last_miss_ : last_miss_ - offset;
  }

  void switch_to_copy() noexcept {
    copying_ = true;
    fresh_ = true;
    near_ = 0;
    window_begin_ = window_end_ = 0;
    run_windows_ = 0;
  }

  bool copying_ = false;
  bool fresh_ = false;   // switched to copying, mapped windows not dropped yet
  unsigned wasted_ = 0;  // wasted mapped windows evicted in a row
  unsigned near_ = 0;    // near misses in a row
  unsigned ahead_ = 0;   // of those, ahead of the one before
  std::uint64_t last_miss_ = kNoMiss;
  // Copy mode: the last copy window made; the current run of copy windows,
  // each running on from the one before: where it began, how far its
  // requests reached, how many windows it took; and the bytes earlier runs
  // needed.
  std::uint64_t window_begin_ = 0;
  std::uint64_t window_end_ = 0;
  std::uint64_t run_begin_ = 0;
  std::uint64_t run_reach_ = 0;
  unsigned run_windows_ = 0;
  std::uint64_t learned_ = 0;
  // Requests served without reading, and requests that read, lately; far
  // misses of copy mode.
  std::uint64_t served_ = 0;
  std::uint64_t read_ = 0;
  unsigned far_misses_ = 0;
};

}  // namespace smmap::detail

// AccessPattern: one file's detector for adaptive windows (docs/design.md,
// "Adaptive windows"). It watches two things the manager already sees:
//
// - mapped windows of the file evicted by the LRU, with how many requests
//   each served (pins plus cursor hits). Several in a row that served only a
//   few mean sparse random access under the memory limit: every mmap, fault
//   and munmap buys one or two reads, and pread into a page-sized copy window
//   is several times cheaper. The file switches to copy windows.
// - requests that miss every live region. In copy mode, a few misses in a row
//   that each land near the previous one mean the reads cluster or run
//   sequentially again: one mapped window would have served them all. The
//   file switches back to mapping. While mapping, a miss within a window of
//   the previous one (a scan) clears the count of wasted windows.
//
// Pure bookkeeping: it never maps, reads or locks.
//
// Thread safety: guarded by the manager's mutex, like the file entry it
// belongs to.
#pragma once

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
  // This many misses in a row, each near the one before, switch it back.
  static constexpr unsigned kNearToMap = 3;

  // True when small requests of the file are served by copy windows.
  bool copying() const noexcept { return copying_; }

  // A mapped window of the file was evicted having served |uses| requests.
  // Returns true when this switched the file to copy windows.
  bool on_mapped_eviction(std::uint64_t uses) noexcept {
    if (uses > kFewUses) {
      wasted_ = 0;
      return false;
    }
    if (copying_ || ++wasted_ < kWastedToCopy) return false;
    copying_ = true;
    fresh_ = true;
    near_ = 0;
    last_miss_ = kNoMiss;
    return true;
  }

  // True once after each switch to copy windows: the file's unused mapped
  // windows should go now. Hits on them would still fault page by page,
  // which costs more than the reads a window serves in this mode.
  bool take_fresh_switch() noexcept { return std::exchange(fresh_, false); }

  // A request at |offset| missed every live region of the file; misses closer
  // than |near_bytes| bytes to the previous one count as near. Returns true when
  // this switched the file back to mapped windows.
  bool on_miss(std::uint64_t offset, std::uint64_t near_bytes) noexcept {
    const std::uint64_t last = last_miss_;
    last_miss_ = offset;
    const std::uint64_t distance =
        last == kNoMiss ? kNoMiss : (offset > last ? offset - last : last - offset);
    if (!copying_) {
      // Mapping: a miss within a window of the previous one means the reads
      // run on (a scan moving from window to window), so windows evicted
      // with few reads were not wasted on sparse access.
      if (distance <= 2 * near_bytes) wasted_ = 0;
      return false;
    }
    const bool is_near = distance < near_bytes;
    near_ = is_near ? near_ + 1 : 0;
    if (near_ < kNearToMap) return false;
    copying_ = false;
    fresh_ = false;
    wasted_ = 0;
    near_ = 0;
    return true;
  }

 private:
  static constexpr std::uint64_t kNoMiss = std::numeric_limits<std::uint64_t>::max();

  bool copying_ = false;
  bool fresh_ = false;   // switched to copying, mapped windows not dropped yet
  unsigned wasted_ = 0;  // wasted mapped windows evicted in a row
  unsigned near_ = 0;    // near misses in a row while copying
  std::uint64_t last_miss_ = kNoMiss;
};

}  // namespace smmap::detail

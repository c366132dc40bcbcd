// RegionLru: the live regions of a manager counted — how many, how many bytes,
// and the peaks of both — with their pins, and the unused ones (no pin) in the
// order their last pin was released (docs/design.md, "Eviction order"). Copy
// windows are also counted apart, against the copy budget, with the unused
// ones in a list of their own in the same order. It names the region to evict
// next for the memory and handle limits and the copy budget; the manager
// unmaps it and reports it removed().
//
// Region carries its links for the two lists (LruLinks<Region>, members
// kLinks and kCopyLinks), its pin count (pins(), set_pins()), size (size()),
// kind (is_copy_window()) and, for a copy window, the memory it holds
// against the copy budget (block_size()): the manager counts its
// ManagedRegions; tests count plain objects.
//
// Thread safety: none; the manager's mutex guards it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "util/check.hpp"
#include "util/intrusive_lru.hpp"

namespace smmap::detail {

template <typename Region, LruLinks<Region> Region::*kLinks, LruLinks<Region> Region::*kCopyLinks>
class RegionLru {
 public:
  using List = IntrusiveLru<Region, kLinks>;
  using CopyList = IntrusiveLru<Region, kCopyLinks>;

  // At most |max_regions| regions (a hard limit) and, as far as unused ones
  // can be evicted, |max_bytes| bytes (a soft one); copy windows of at most
  // |max_copy_bytes| bytes in all (set_max_copy_bytes()).
  RegionLru(std::uint64_t max_bytes, std::uint64_t max_regions,
            std::uint64_t max_copy_bytes) noexcept
      : max_bytes_(max_bytes), max_regions_(max_regions), max_copy_bytes_(max_copy_bytes) {}

  // A new region, pinned once. REQUIRES: it is not counted; pins() == 1.
  void added(Region* region) noexcept {
    SMMAP_DCHECK(region->pins() == 1);
    bytes_ += region->size();
    ++count_;
    peak_bytes_ = std::max(peak_bytes_, bytes_);
    peak_count_ = std::max(peak_count_, count_);
    if (region->is_copy_window()) {
      copy_bytes_ += region->block_size();
      peak_copy_bytes_ = std::max(peak_copy_bytes_, copy_bytes_);
    }
  }
  // |region| is unmapped. REQUIRES: it is counted and unused.
  void removed(Region* region) noexcept {
    SMMAP_DCHECK(region->pins() == 0);
    unused_.unlink(region);
    bytes_ -= region->size();
    --count_;
    if (region->is_copy_window()) {
      unused_copies_.unlink(region);
      copy_bytes_ -= region->block_size();
    }
  }

  // One more pin of |region|; a used region leaves the list.
  void pin(Region* region) noexcept {
    const int pins = region->pins();
    if (pins == 0) {
      unused_.unlink(region);
      if (region->is_copy_window()) unused_copies_.unlink(region);
    }
    region->set_pins(pins + 1);
  }
  // One pin fewer; an unused region becomes the most recently used.
  // REQUIRES: region->pins() > 0.
  void unpin(Region* region) noexcept {
    SMMAP_DCHECK(region->pins() > 0);
    const int pins = region->pins() - 1;
    region->set_pins(pins);
    if (pins == 0) {
      unused_.push_newest(region);
      if (region->is_copy_window()) unused_copies_.push_newest(region);
    }
  }

  // The least recently used unused region, or null when every one is used.
  Region* coldest() const noexcept { return unused_.oldest(); }
  // The region to evict for |incoming| more bytes to fit under the memory
  // limit, or null when they fit or every region is used.
  Region* over_memory(std::uint64_t incoming) const noexcept {
    const bool over = incoming > max_bytes_ || bytes_ > max_bytes_ - incoming;
    return over ? unused_.oldest() : nullptr;
  }
  // The region to evict for one more to fit under the handle limit, or null.
  Region* over_handles() const noexcept { return at_handle_limit() ? unused_.oldest() : nullptr; }
  bool at_handle_limit() const noexcept { return count_ >= max_regions_; }
  // The unused copy window to evict for a copy window of |incoming| bytes to
  // fit in the copy budget, or null when it fits or every one is used.
  Region* over_copy_budget(std::uint64_t incoming) const noexcept {
    return copy_fits(incoming) ? nullptr : unused_copies_.oldest();
  }
  // Whether a copy window of |incoming| bytes fits in the copy budget.
  bool copy_fits(std::uint64_t incoming) const noexcept {
    return incoming <= max_copy_bytes_ && copy_bytes_ <= max_copy_bytes_ - incoming;
  }
  // Takes effect at the next copy window.
  void set_max_copy_bytes(std::uint64_t max_copy_bytes) noexcept {
    max_copy_bytes_ = max_copy_bytes;
  }

  std::uint64_t bytes() const noexcept { return bytes_; }
  std::size_t count() const noexcept { return count_; }
  std::uint64_t peak_bytes() const noexcept { return peak_bytes_; }
  std::size_t peak_count() const noexcept { return peak_count_; }
  std::uint64_t max_bytes() const noexcept { return max_bytes_; }
  std::uint64_t max_regions() const noexcept { return max_regions_; }
  std::uint64_t copy_bytes() const noexcept { return copy_bytes_; }
  std::uint64_t peak_copy_bytes() const noexcept { return peak_copy_bytes_; }
  std::uint64_t max_copy_bytes() const noexcept { return max_copy_bytes_; }
  // The unused regions and the unused copy windows, oldest first, for the
  // invariant checks.
  const List& unused() const noexcept { return unused_; }
  const CopyList& unused_copies() const noexcept { return unused_copies_; }

 private:
  const std::uint64_t max_bytes_;
  const std::uint64_t max_regions_;
  std::uint64_t max_copy_bytes_;
  List unused_;
  CopyList unused_copies_;
  std::uint64_t bytes_ = 0;
  std::size_t count_ = 0;
  std::uint64_t peak_bytes_ = 0;
  std::size_t peak_count_ = 0;
  std::uint64_t copy_bytes_ = 0;
  std::uint64_t peak_copy_bytes_ = 0;
};

}  // namespace smmap::detail

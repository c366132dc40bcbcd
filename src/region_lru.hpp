// RegionLru: a manager's unpinned regions, in the order their last pin was
// released, linked through the regions themselves (as LevelDB's LRU cache
// links its handles). Eviction takes the oldest in O(1).
//
// Thread safety: guarded by the manager's mutex, like the regions.
#pragma once

#include <cstddef>

#include "managed_region.hpp"

namespace smmap::detail {

class RegionLru {
 public:
  // REQUIRES: |region| is not in the list.
  void push_newest(ManagedRegion* region) noexcept {
    region->lru_older_ = newest_;
    region->lru_newer_ = nullptr;
    (newest_ != nullptr ? newest_->lru_newer_ : oldest_) = region;
    newest_ = region;
    ++size_;
  }

  // REQUIRES: |region| is in the list.
  void unlink(ManagedRegion* region) noexcept {
    (region->lru_older_ != nullptr ? region->lru_older_->lru_newer_ : oldest_) = region->lru_newer_;
    (region->lru_newer_ != nullptr ? region->lru_newer_->lru_older_ : newest_) = region->lru_older_;
    region->lru_older_ = region->lru_newer_ = nullptr;
    --size_;
  }

  // The least recently released region, or nullptr when the list is empty.
  ManagedRegion* oldest() const noexcept { return oldest_; }
  ManagedRegion* newest() const noexcept { return newest_; }
  static ManagedRegion* newer(const ManagedRegion* region) noexcept { return region->lru_newer_; }
  static ManagedRegion* older(const ManagedRegion* region) noexcept { return region->lru_older_; }
  bool empty() const noexcept { return oldest_ == nullptr; }
  std::size_t size() const noexcept { return size_; }

 private:
  ManagedRegion* oldest_ = nullptr;
  ManagedRegion* newest_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace smmap::detail

// RegionIndex: one file's mapped windows by start offset — the lookup of a
// request and the free gap a new window is placed in (docs/design.md,
// "Obtaining a region"); its copy windows are kept apart (CopyWindows).
// Regions never overlap, so the region holding an offset is the last one
// starting at or before it: one binary search.
//
// The nodes come from the manager's NodePool. Region is any type with
// ofs_begin() and ofs_end() (a ManagedRegion in the manager; plain objects in
// the tests); the index constructs and destroys it in place.
//
// Thread safety: none; the manager's mutex guards each file's index.
#pragma once

#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <tuple>
#include <utility>

#include "policy/placement.hpp"
#include "util/check.hpp"
#include "util/node_pool.hpp"

namespace smmap::detail {

template <typename Region>
class RegionIndex {
  using Map = std::map<std::uint64_t, Region, std::less<>,
                       PoolAllocator<std::pair<const std::uint64_t, Region>>>;

 public:
  // An index of the regions of a file of |file_size| bytes, whose nodes come
  // from |nodes|.
  RegionIndex(NodePool& nodes, std::uint64_t file_size)
      : regions_(typename Map::allocator_type(nodes)), file_size_(file_size) {}

  // The region holding |offset|, or null.
  const Region* find(std::uint64_t offset) const {
    const auto next = regions_.upper_bound(offset);
    if (next == regions_.begin()) return nullptr;
    const Region& before = std::prev(next)->second;
    return offset < before.ofs_end() ? &before : nullptr;
  }
  Region* find(std::uint64_t offset) {
    return const_cast<Region*>(std::as_const(*this).find(offset));
  }
  // The region that starts at |ofs|, or null.
  const Region* starting_at(std::uint64_t ofs) const {
    const auto found = regions_.find(ofs);
    return found == regions_.end() ? nullptr : &found->second;
  }

  // The free gap around |offset|: from the end of the region before it (or
  // 0) to the start of the one after it (or the file's end).
  // REQUIRES: no region holds |offset|.
  Gap gap_at(std::uint64_t offset) const {
    const auto next = regions_.upper_bound(offset);
    return Gap{
        .begin = next == regions_.begin() ? 0 : std::prev(next)->second.ofs_end(),
        .end = next == regions_.end() ? file_size_ : next->first,
    };
  }

  // Constructs a region starting at |ofs| from |args|.
  // REQUIRES: it overlaps no region. Throws what the constructor throws.
  template <typename... Args>
  Region& emplace(std::uint64_t ofs, Args&&... args) {
    // Hinted at the end: a scan's next window goes there, then in O(1)
    // rather than after a descent (elsewhere the hint costs a comparison).
    const auto where =
        regions_.emplace_hint(regions_.end(), std::piecewise_construct, std::forward_as_tuple(ofs),
                              std::forward_as_tuple(std::forward<Args>(args)...));
    SMMAP_DCHECK(where->second.ofs_begin() == ofs);
    return where->second;
  }
  // Destroys |region|. REQUIRES: it is in the index.
  void erase(const Region& region) noexcept {
    const auto erased = regions_.erase(region.ofs_begin());
    SMMAP_DCHECK(erased == 1);
    static_cast<void>(erased);
  }

  // Calls |fn| on every region, in offset order; |fn| may erase the region
  // it is given.
  template <typename Fn>
  void for_each(Fn fn) {
    for (auto at = regions_.begin(); at != regions_.end();) fn((at++)->second);
  }
  template <typename Fn>
  void for_each(Fn fn) const {
    for (const auto& [ofs, region] : regions_) fn(region);
  }

  // The first region, or null.
  Region* first() { return regions_.empty() ? nullptr : &regions_.begin()->second; }
  std::size_t size() const noexcept { return regions_.size(); }
  bool empty() const noexcept { return regions_.empty(); }
  std::uint64_t file_size() const noexcept { return file_size_; }

 private:
  Map regions_;
  std::uint64_t file_size_;
};

}  // namespace smmap::detail

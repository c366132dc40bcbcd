// CopyWindows: one file's copy windows — found by page through a PageTable,
// and listed for the rare walks over all of them (docs/design.md, "Obtaining
// a region"). They are kept apart from the file's mapped windows
// (RegionIndex): a copy miss then does a fixed amount of work here — a node
// from the manager's pool, one table entry per page and two links — with no
// tree to descend or rebalance, and its eviction undoes as much.
//
// Region is any type with ofs_begin(), ofs_end() and size() whose LruLinks
// member kLinks is for this list alone (a ManagedRegion in the manager;
// plain objects in the tests). The windows construct and destroy it in
// place, in nodes of |nodes|, so its address is stable while it lives.
//
// Thread safety: none; the manager's mutex guards each file's.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

#include "core/page_table.hpp"
#include "policy/placement.hpp"
#include "smmap/util.hpp"
#include "util/intrusive_lru.hpp"
#include "util/node_pool.hpp"

namespace smmap::detail {

template <typename Region, LruLinks<Region> Region::*kLinks>
class CopyWindows {
 public:
  // The windows of one file, in nodes taken from |nodes| (which must outlive
  // them and hand out nodes of no other size).
  explicit CopyWindows(NodePool& nodes) noexcept : nodes_(nodes) {}
  CopyWindows(const CopyWindows&) = delete;
  CopyWindows& operator=(const CopyWindows&) = delete;
  ~CopyWindows() {
    while (Region* oldest = list_.oldest()) erase(*oldest);
  }

  // The copy window holding |offset|, or null.
  Region* find(std::uint64_t offset) const noexcept { return pages_.find(page_of(offset)); }

  // The start of the first page in [begin, end) that a copy window holds, or
  // |end| when none does. O(min(pages in the range, windows)).
  // REQUIRES: |begin| is on the granularity.
  std::uint64_t first_held(std::uint64_t begin, std::uint64_t end) const noexcept {
    if (begin >= end || pages_.pages() == 0) return end;
    if ((end - begin) / ALLOCATIONGRANULARITY > list_.size()) {
      std::uint64_t first = end;
      for_each([&](const Region& window) {
        if (window.ofs_begin() < end && window.ofs_end() > begin) {
          first = std::min(first, std::max(window.ofs_begin(), begin));
        }
      });
      return first;
    }
    for (std::uint64_t at = begin; at < end; at += ALLOCATIONGRANULARITY) {
      if (pages_.find(page_of(at)) != nullptr) return at;
    }
    return end;
  }

  // |gap| (around |offset|, which no copy window holds) narrowed to what no
  // copy window holds, looking |reach| bytes either side of |offset| at most
  // (how far the window placed in it can reach).
  // O(min(pages in reach, windows)).
  Gap free_around(std::uint64_t offset, Gap gap, std::uint64_t reach) const noexcept {
    if (pages_.pages() == 0) return gap;
    const std::uint64_t page = offset - offset % ALLOCATIONGRANULARITY;
    const std::uint64_t lowest = std::max(gap.begin, page > reach ? page - reach : 0);
    gap.begin = std::max(gap.begin, last_end_before(lowest, page));
    const std::uint64_t highest = gap.end - offset > reach ? offset + reach : gap.end;
    const std::uint64_t held = first_held(page + ALLOCATIONGRANULARITY, highest);
    if (held < highest) gap.end = held;
    return gap;
  }

  // Constructs a window from |args|. Throws what the constructor throws, or
  // std::bad_alloc; nothing is left behind then.
  // REQUIRES: it overlaps no window of the file.
  template <typename... Args>
  Region& emplace(Args&&... args) {
    void* node = nodes_.allocate(sizeof(Region));
    Region* region = nullptr;
    try {
      region = new (node) Region(std::forward<Args>(args)...);
    } catch (...) {
      nodes_.deallocate(node, sizeof(Region));
      throw;
    }
    try {
      pages_.insert(page_of(region->ofs_begin()), pages_of(*region), region);
    } catch (...) {
      destroy(region);
      throw;
    }
    list_.push_newest(region);
    return *region;
  }

  // Destroys |region|. REQUIRES: it is one of these windows.
  void erase(Region& region) noexcept {
    pages_.erase(page_of(region.ofs_begin()), pages_of(region));
    list_.unlink(&region);
    destroy(&region);
  }

  // Calls |fn| on every window, oldest first; |fn| may erase the window it
  // is given (and no other).
  template <typename Fn>
  void for_each(Fn fn) {
    for (Region* at = list_.oldest(); at != nullptr;) {
      Region* const next = List::newer(at);
      fn(*at);
      at = next;
    }
  }
  template <typename Fn>
  void for_each(Fn fn) const {
    for (const Region* at = list_.oldest(); at != nullptr; at = List::newer(at)) fn(*at);
  }

  // The oldest window, or null.
  Region* first() const noexcept { return list_.oldest(); }
  std::size_t size() const noexcept { return list_.size(); }
  bool empty() const noexcept { return list_.empty(); }
  // Pages the windows hold, counted in the page table.
  std::size_t pages() const noexcept { return pages_.pages(); }

 private:
  using List = IntrusiveLru<Region, kLinks>;

  static std::uint64_t page_of(std::uint64_t offset) noexcept {
    return offset / ALLOCATIONGRANULARITY;
  }
  // The pages a window covers, the last one maybe in part.
  static std::uint64_t pages_of(const Region& region) noexcept {
    return (region.size() + ALLOCATIONGRANULARITY - 1) / ALLOCATIONGRANULARITY;
  }
  // The end of the last copy window that ends in (lowest, page], or 0 when
  // none does. REQUIRES: no window holds the page at |page|.
  std::uint64_t last_end_before(std::uint64_t lowest, std::uint64_t page) const noexcept {
    if ((page - std::min(page, lowest)) / ALLOCATIONGRANULARITY > list_.size()) {
      std::uint64_t last = 0;
      for_each([&](const Region& window) {
        if (window.ofs_end() > lowest && window.ofs_end() <= page) {
          last = std::max(last, window.ofs_end());
        }
      });
      return last;
    }
    for (std::uint64_t at = page; at > lowest;) {
      at -= std::min<std::uint64_t>(ALLOCATIONGRANULARITY, at);
      if (const Region* before = find(at)) return before->ofs_end();
    }
    return 0;
  }
  void destroy(Region* region) noexcept {
    region->~Region();
    nodes_.deallocate(region, sizeof(Region));
  }

  NodePool& nodes_;
  PageTable<Region> pages_;
  List list_;
};

}  // namespace smmap::detail

// PageTable: one file's copy windows by page — a flat open-addressing hash
// table from page number to the copy window holding that page, with an
// entry for every page of every copy window (docs/design.md, "Obtaining a
// region"). A small read that misses probes one or two slots of one array
// instead of descending a tree of thousands of nodes; a copy window of n
// pages costs n insertions when it is read, which its read dwarfs.
//
// Linear probing with backward-shift deletion, so no tombstones: a lookup
// ends at the first empty slot. The table doubles when half full and never
// shrinks while the file's entry lives; inserting and erasing allocate
// nothing otherwise.
//
// Thread safety: none; the manager's mutex guards each file's table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "util/check.hpp"

namespace smmap::detail {

template <typename Region>
class PageTable {
 public:
  // The copy window holding page |page|, or null.
  Region* find(std::uint64_t page) const noexcept {
    if (count_ == 0) return nullptr;
    for (std::size_t at = home(page);; at = next(at)) {
      const Slot& slot = slots_[at];
      if (slot.page == page) return slot.region;
      if (slot.page == kEmpty) return nullptr;
    }
  }

  // Pages [first, first + pages) now belong to |region|.
  // REQUIRES: none of them is in the table. Throws std::bad_alloc (the
  // table is then unchanged).
  void insert(std::uint64_t first, std::uint64_t pages, Region* region) {
    reserve(count_ + pages);
    for (std::uint64_t page = first; page < first + pages; ++page) put(page, region);
  }
  // Pages [first, first + pages) no longer belong to a copy window.
  // REQUIRES: they were inserted together.
  void erase(std::uint64_t first, std::uint64_t pages) noexcept {
    for (std::uint64_t page = first; page < first + pages; ++page) remove(page);
  }

  // Pages in the table.
  std::size_t pages() const noexcept { return count_; }

 private:
  static constexpr std::uint64_t kEmpty = std::numeric_limits<std::uint64_t>::max();
  struct Slot {
    std::uint64_t page = kEmpty;
    Region* region = nullptr;
  };

  std::size_t home(std::uint64_t page) const noexcept {
    // Fibonacci hashing: consecutive pages spread over the table.
    return static_cast<std::size_t>((page * 0x9E3779B97F4A7C15ull) >> shift_);
  }
  std::size_t next(std::size_t at) const noexcept { return (at + 1) & (slots_.size() - 1); }

  // Room for |count| pages at a load of at most one half.
  void reserve(std::uint64_t count) {
    if (count <= slots_.size() / 2) return;
    std::size_t capacity = slots_.empty() ? 64 : slots_.size();
    while (count > capacity / 2) capacity *= 2;
    std::vector<Slot> old(capacity);
    old.swap(slots_);
    shift_ = 64;
    for (std::size_t size = capacity; size > 1; size /= 2) --shift_;
    count_ = 0;
    for (const Slot& slot : old) {
      if (slot.page != kEmpty) put(slot.page, slot.region);
    }
  }

  void put(std::uint64_t page, Region* region) noexcept {
    std::size_t at = home(page);
    while (slots_[at].page != kEmpty) {
      SMMAP_DCHECK(slots_[at].page != page);
      at = next(at);
    }
    slots_[at] = Slot{page, region};
    ++count_;
  }

  void remove(std::uint64_t page) noexcept {
    std::size_t hole = home(page);
    while (slots_[hole].page != page) {
      SMMAP_DCHECK(slots_[hole].page != kEmpty);
      hole = next(hole);
    }
    // Backward shift: move up every later entry of the run that may not
    // stay behind the hole (its home lies cyclically outside (hole, at]).
    for (std::size_t at = next(hole); slots_[at].page != kEmpty; at = next(at)) {
      const std::size_t wanted = home(slots_[at].page);
      const bool stays =
          hole < at ? (hole < wanted && wanted <= at) : (hole < wanted || wanted <= at);
      if (stays) continue;
      slots_[hole] = slots_[at];
      hole = at;
    }
    slots_[hole] = Slot{};
    --count_;
  }

  std::vector<Slot> slots_;
  unsigned shift_ = 64;
  std::size_t count_ = 0;
};

}  // namespace smmap::detail

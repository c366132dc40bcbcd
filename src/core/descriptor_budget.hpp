// DescriptorBudget: the files of a manager that hold a descriptor it opened,
// least recently used first, and how many may (docs/design.md, "Files:
// identity and replacement"). It decides which to close; the manager closes
// them, counts the closes and reopens a file for its next window. A file
// opened from the caller's descriptor is never counted.
//
// T carries its links for the list (LruLinks<T>, member kLinks): the manager
// counts its file entries; tests count what they like.
//
// Thread safety: none; a manager's mutex guards its budget.
#pragma once

#include <algorithm>
#include <cstddef>

#include "util/intrusive_lru.hpp"

namespace smmap::detail {

template <typename T, LruLinks<T> T::*kLinks>
class DescriptorBudget {
 public:
  using List = IntrusiveLru<T, kLinks>;

  // At most |limit| (at least 1) open at once.
  explicit DescriptorBudget(std::size_t limit) noexcept { set_limit(limit); }

  std::size_t limit() const noexcept { return limit_; }
  // Takes effect at the next over_budget().
  void set_limit(std::size_t limit) noexcept { limit_ = std::max<std::size_t>(limit, 1); }
  std::size_t open() const noexcept { return open_.size(); }

  // |file| holds a descriptor now (opened or reopened): the most recently
  // used. REQUIRES: it is not counted.
  void opened(T* file) noexcept { open_.push_newest(file); }
  // |file| mapped a window: the most recently used. REQUIRES: it is counted.
  void used(T* file) noexcept { open_.touch(file); }
  // |file|'s descriptor is closed, or the file goes. REQUIRES: it is counted.
  void closed(T* file) noexcept { open_.unlink(file); }

  // The file whose descriptor to close next for the budget to hold: the
  // least recently used while more than limit() are open, never |keep| (may
  // be null); null when the budget holds.
  T* over_budget(const T* keep) const noexcept {
    T* oldest = open_.oldest();
    return open_.size() > limit_ && oldest != keep ? oldest : nullptr;
  }
  // The least recently used, or null when none is open: closing every
  // descriptor takes them in this order.
  T* least_recently_used() const noexcept { return open_.oldest(); }
  // The counted files, for the invariant checks.
  const List& list() const noexcept { return open_; }

 private:
  List open_;
  std::size_t limit_ = 1;
};

}  // namespace smmap::detail

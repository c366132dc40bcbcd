// IntrusiveLru: objects in the order they were last used, linked through
// links they carry themselves (as LevelDB's LRU cache links its handles), so
// pushing, unlinking and taking the oldest are O(1) and allocate nothing.
// A manager keeps two: its unpinned regions, in the order their last pin was
// released, and its file entries holding a descriptor, in the order they
// last mapped.
//
// Thread safety: none; the manager's mutex guards both lists.
#pragma once

#include <cstddef>

#include "util/check.hpp"

namespace smmap::detail {

// The links an object carries for one list; null while it is not listed.
template <typename T>
struct LruLinks {
  T* older = nullptr;
  T* newer = nullptr;
};

template <typename T, LruLinks<T> T::*kLinks>
class IntrusiveLru {
 public:
  // REQUIRES: |item| is not in the list.
  void push_newest(T* item) noexcept {
    SMMAP_DCHECK(!contains(item));
    links(item).older = newest_;
    links(item).newer = nullptr;
    (newest_ != nullptr ? links(newest_).newer : oldest_) = item;
    newest_ = item;
    ++size_;
  }

  // REQUIRES: |item| is in the list.
  void unlink(T* item) noexcept {
    SMMAP_DCHECK(contains(item));
    LruLinks<T>& own = links(item);
    (own.older != nullptr ? links(own.older).newer : oldest_) = own.newer;
    (own.newer != nullptr ? links(own.newer).older : newest_) = own.older;
    own.older = own.newer = nullptr;
    --size_;
  }

  // Makes |item| the newest. REQUIRES: |item| is in the list.
  void touch(T* item) noexcept {
    if (item == newest_) return;
    unlink(item);
    push_newest(item);
  }

  // The least recently used item, or nullptr when the list is empty.
  T* oldest() const noexcept { return oldest_; }
  T* newest() const noexcept { return newest_; }
  static T* newer(const T* item) noexcept { return (item->*kLinks).newer; }
  static T* older(const T* item) noexcept { return (item->*kLinks).older; }
  bool empty() const noexcept { return oldest_ == nullptr; }
  std::size_t size() const noexcept { return size_; }

 private:
  static LruLinks<T>& links(T* item) noexcept { return item->*kLinks; }
  // O(1): a listed item has a neighbour, or is the only one.
  bool contains(T* item) const noexcept {
    return links(item).older != nullptr || links(item).newer != nullptr || oldest_ == item;
  }

  T* oldest_ = nullptr;
  T* newest_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace smmap::detail

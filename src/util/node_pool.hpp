// NodePool and PoolAllocator: nodes of one size, packed into 2 MiB chunks of
// their own — a manager's region maps' nodes in one pool, its copy windows in
// another. A mapped miss descends its file's map at least once, and once
// more for each region it evicts; nodes scattered over the heap would make
// each level of each descent a cache and TLB miss (docs/design.md, "Adaptive
// windows"). Packed, the tree's top levels share cache lines and the whole of
// it few pages; so do tens of thousands of one-page copy windows.
//
// Freed nodes are reused; chunks go back to the system with the pool, when
// the manager's state goes.
//
// Thread safety: none. A manager's pools are used under its mutex (every
// region is made and destroyed there).
#pragma once

#include <algorithm>
#include <cstddef>
#include <new>
#include <vector>

#include "port/memory.hpp"

namespace smmap::detail {

class NodePool {
 public:
  NodePool() = default;
  NodePool(const NodePool&) = delete;
  NodePool& operator=(const NodePool&) = delete;
  ~NodePool() {
    for (std::byte* chunk : chunks_) free_chunk(chunk);
  }

  // A block of |size| bytes; the first call fixes the size, others go to
  // the heap.
  void* allocate(std::size_t size) {
    if (slot_ == 0) slot_ = round_up(size);
    if (size > slot_) return ::operator new(size);
    if (free_ != nullptr) {
      Free* block = free_;
      free_ = block->next;
      return block;
    }
    if (unused_ == unused_end_) grow();
    void* block = unused_;
    unused_ += slot_;
    return block;
  }
  // REQUIRES: |block| came from allocate(size).
  void deallocate(void* block, std::size_t size) noexcept {
    if (size > slot_) return ::operator delete(block);
    free_ = new (block) Free{free_};
  }

 private:
  struct Free {
    Free* next;
  };

  static std::size_t round_up(std::size_t size) {
    const std::size_t align = alignof(std::max_align_t);
    return (std::max(size, sizeof(Free)) + align - 1) / align * align;
  }

  // A new chunk, handed out from its start, so that the nodes of a small map
  // share pages, and written only as its nodes are: a manager that makes a
  // few nodes faults in a few pages, not 512 (docs/benchmarks.md,
  // "Short-lived managers").
  void grow() {
    chunks_.reserve(chunks_.size() + 1);
    std::byte* chunk = allocate_chunk();
    chunks_.push_back(chunk);
    unused_ = chunk;
    unused_end_ = chunk + kChunkSize / slot_ * slot_;
  }

  std::size_t slot_ = 0;
  Free* free_ = nullptr;  // nodes given back
  // The last chunk's nodes never handed out.
  std::byte* unused_ = nullptr;
  std::byte* unused_end_ = nullptr;
  std::vector<std::byte*> chunks_;
};

// An allocator for node-based containers that takes single nodes from a
// NodePool (arrays, if any, from the heap).
template <typename T>
class PoolAllocator {
 public:
  using value_type = T;

  explicit PoolAllocator(NodePool& pool) noexcept : pool_(&pool) {}
  template <typename U>
  PoolAllocator(const PoolAllocator<U>& other) noexcept : pool_(other.pool()) {}

  T* allocate(std::size_t n) {
    if (n != 1) return static_cast<T*>(::operator new(n * sizeof(T)));
    return static_cast<T*>(pool_->allocate(sizeof(T)));
  }
  void deallocate(T* block, std::size_t n) noexcept {
    if (n != 1) return ::operator delete(block);
    pool_->deallocate(block, sizeof(T));
  }

  NodePool* pool() const noexcept { return pool_; }
  template <typename U>
  bool operator==(const PoolAllocator<U>& other) const noexcept {
    return pool_ == other.pool();
  }

 private:
  NodePool* pool_;
};

}  // namespace smmap::detail

// The blocks copy windows are read into, for both backends (mapping.cpp and
// mapping_windows.cpp).
#include <cstddef>
#include <mutex>
#include <new>
#include <vector>

#include "port/mapping.hpp"
#include "port/memory.hpp"

namespace smmap::detail {
namespace {

// Copies are page-aligned, like the mappings they stand in for.
constexpr std::align_val_t kCopyAlignment{4096};

constexpr std::size_t kPage = 4096;

// Blocks for copy windows, in power-of-two sizes from one page to one chunk,
// carved from 2 MiB chunks and reused, process-wide. Copy windows come and go
// one per miss; taken from the general heap, a large block would be a fresh
// anonymous mapping each time (mmap, a fault per page, munmap: the very costs
// copy windows avoid), and small ones would interleave with the manager's map
// nodes, one node per page, so that every lookup missed the TLB at each level
// of the tree (docs/design.md, "Adaptive windows"). Chunks are kept for reuse
// until the process ends: per size, at most the peak of blocks of that size
// alive at once, which the managers' memory limits bound.
class CopyBlocks {
 public:
  static constexpr std::size_t kClasses = 10;  // 4 KiB ... 2 MiB
  static_assert((kPage << (kClasses - 1)) == kChunkSize, "the largest block is a chunk");

  // The class of blocks that holds |size| bytes, or kClasses if none does.
  static std::size_t class_of(std::size_t size) noexcept {
    std::size_t index = 0;
    for (std::size_t block = kPage; block < size; block *= 2) {
      if (++index == kClasses) break;
    }
    return index;
  }

  std::byte* take(std::size_t index) {
    std::lock_guard lock(mutex_);
    std::vector<std::byte*>& free = free_[index];
    if (free.empty()) {
      const std::size_t block = kPage << index;
      free.reserve(free.size() + kChunkSize / block);
      std::byte* chunk = allocate_chunk();
      for (std::size_t at = kChunkSize; at > 0; at -= block) free.push_back(chunk + at - block);
    }
    std::byte* block = free.back();
    free.pop_back();
    return block;
  }
  void give(std::size_t index, std::byte* block) noexcept {
    std::lock_guard lock(mutex_);
    free_[index].push_back(block);  // never allocates: capacity covers every block carved
  }

 private:
  std::mutex mutex_;
  std::vector<std::byte*> free_[kClasses];
};

CopyBlocks& copy_blocks() {
  static CopyBlocks* const blocks = new CopyBlocks;  // outlives every static manager
  return *blocks;
}

}  // namespace

std::byte* allocate_copy(std::size_t size) {
  const std::size_t index = CopyBlocks::class_of(size);
  if (index < CopyBlocks::kClasses) return copy_blocks().take(index);
  return static_cast<std::byte*>(::operator new[](size, kCopyAlignment));
}

// Frees a block from read_copy(); its bytes are never written after the read.
void free_copy(const std::byte* bytes, std::size_t size) noexcept {
  auto* block = const_cast<std::byte*>(bytes);
  const std::size_t index = CopyBlocks::class_of(size);
  if (index < CopyBlocks::kClasses) return copy_blocks().give(index, block);
  ::operator delete[](block, kCopyAlignment);
}

}  // namespace smmap::detail

// The blocks copy windows are read into, for both backends (mapping.cpp and
// mapping_windows.cpp).
#include <cstddef>
#include <mutex>
#include <new>
#include <vector>

#ifdef __linux__
#include <sys/mman.h>
#endif

#include "mapping.hpp"

namespace smmap::detail {
namespace {

// Copies are page-aligned, like the mappings they stand in for.
constexpr std::align_val_t kCopyAlignment{4096};

constexpr std::size_t kPage = 4096;
constexpr std::size_t kChunk = 2 << 20;

// One-page blocks for copy windows, carved from 2 MiB chunks and reused,
// process-wide. Copy windows come and go one per miss; taken from the
// general heap they would interleave with the manager's map nodes, one node
// per page, and every lookup would miss the TLB at each level of the tree
// (docs/design.md, "Adaptive windows"). Chunks are kept for
// reuse until the process ends: at most the peak of one-page copy windows
// alive at once, which the managers' memory limits bound.
class PageBlocks {
 public:
  std::byte* take() {
    std::lock_guard lock(mutex_);
    if (free_.empty()) {
      auto* chunk = static_cast<std::byte*>(::operator new (kChunk, std::align_val_t{kChunk}));
#ifdef __linux__
      // One large page where THP allows it: one fault fills the chunk
      // instead of 512, and its blocks share one TLB entry.
      ::madvise(chunk, kChunk, MADV_HUGEPAGE);
#endif
      free_.reserve(free_.size() + kChunk / kPage);
      for (std::size_t at = kChunk; at > 0; at -= kPage) free_.push_back(chunk + at - kPage);
    }
    std::byte* block = free_.back();
    free_.pop_back();
    return block;
  }
  void give(std::byte* block) noexcept {
    std::lock_guard lock(mutex_);
    free_.push_back(block);  // never allocates: capacity covers every block carved
  }

 private:
  std::mutex mutex_;
  std::vector<std::byte*> free_;
};

PageBlocks& page_blocks() {
  static PageBlocks* const blocks = new PageBlocks;  // outlives every static manager
  return *blocks;
}

}  // namespace

std::byte* allocate_copy(std::size_t size) {
  if (size == kPage) return page_blocks().take();
  return static_cast<std::byte*>(::operator new[](size, kCopyAlignment));
}

// Frees a block from read_copy(); its bytes are never written after the read.
void free_copy(const std::byte* bytes, std::size_t size) noexcept {
  auto* block = const_cast<std::byte*>(bytes);
  if (size == kPage) return page_blocks().give(block);
  ::operator delete[](block, kCopyAlignment);
}

}  // namespace smmap::detail

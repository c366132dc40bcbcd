// The blocks copy windows are read into, and read_copy(), for both ports
// (whose read_exactly() does the read: port/posix/mapping.cpp and
// port/windows/mapping.cpp).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "port/mapping.hpp"
#include "port/memory.hpp"
#include "util/check.hpp"

namespace smmap::detail {
namespace {

// The smallest block: the smallest page of the systems the library runs on.
// Where pages are larger (16 or 64 KiB on some ARM64 kernels), copy windows
// are whole pages of that size and the smaller classes go unused.
constexpr std::size_t kPage = 4096;

// Copies start on a page, like the mappings they stand in for: a block of a
// class is carved at a multiple of its size from a chunk aligned to its
// size, so it is aligned to any page no larger than itself; a copy larger
// than a chunk is aligned to kPage. Nothing depends on more: copies are read
// with pread, never mapped or guarded.
constexpr std::align_val_t kCopyAlignment{kPage};

// Blocks for copy windows, in power-of-two sizes from one page to one chunk,
// carved from 2 MiB chunks and reused, process-wide. Copy windows come and go
// one per miss; taken from the general heap, a large block would be a fresh
// anonymous mapping each time (mmap, a fault per page, munmap: the very costs
// copy windows avoid), and small ones would interleave with the manager's map
// nodes, one node per page, so that every lookup missed the TLB at each level
// of the tree (docs/design.md, "Adaptive windows").
//
// Memory goes back: when the free blocks exceed the blocks in use by more
// than a chunk (a manager evicted or collected its copy windows, lowered its
// copy budget, or went), or when no manager is left, every chunk whose blocks
// are all free is returned to the system. A chunk with a block in use stays; so at most a chunk
// stays free beyond what the blocks in use hold, plus the free blocks of chunks they keep.
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
    const std::size_t size = kPage << index;
    std::vector<std::byte*>& free = free_[index];
    if (free.empty()) {
      free.reserve(free.size() + kChunkSize / size);
      chunks_.reserve(chunks_.size() + 1);
      std::byte* chunk = allocate_chunk();
      chunks_.emplace(chunk, 0);  // reserved: does not throw
      ++empty_chunks_;
      for (std::size_t at = kChunkSize; at > 0; at -= size) free.push_back(chunk + at - size);
      free_bytes_ += kChunkSize / size * size;
    }
    std::byte* block = free.back();
    free.pop_back();
    if (chunks_.find(chunk_of(block))->second++ == 0) --empty_chunks_;
    free_bytes_ -= size;
    used_bytes_ += size;
    return block;
  }
  void give(std::size_t index, std::byte* block) noexcept {
    std::lock_guard lock(mutex_);
    const std::size_t size = kPage << index;
    free_[index].push_back(block);  // never allocates: capacity covers every block carved
    if (--chunks_.find(chunk_of(block))->second == 0) ++empty_chunks_;
    free_bytes_ += size;
    used_bytes_ -= size;
    if (empty_chunks_ != 0 && (free_bytes_ > used_bytes_ + kChunkSize || users_ == 0)) trim();
  }

  // A manager begins or ends using the pool; when the last one ends, every
  // chunk with no block in use goes back.
  void add_user() noexcept {
    std::lock_guard lock(mutex_);
    ++users_;
  }
  void remove_user() noexcept {
    std::lock_guard lock(mutex_);
    if (--users_ == 0 && empty_chunks_ != 0) trim();
  }

 private:
  static std::byte* chunk_of(std::byte* block) noexcept {
    const auto address = reinterpret_cast<std::uintptr_t>(block);
    return reinterpret_cast<std::byte*>(address - address % kChunkSize);
  }

  // Returns every chunk with no block in use to the system. O(free blocks);
  // it runs when a chunk has emptied, and free memory exceeds what is in use.
  void trim() noexcept {
    for (std::size_t index = 0; index < kClasses; ++index) {
      std::vector<std::byte*>& free = free_[index];
      const std::size_t size = kPage << index;
      std::erase_if(free, [&](std::byte* block) {
        const bool unused = chunks_.find(chunk_of(block))->second == 0;
        if (unused) free_bytes_ -= size;
        return unused;
      });
    }
    for (auto at = chunks_.begin(); at != chunks_.end();) {
      if (at->second == 0) {
        free_chunk(at->first);
        at = chunks_.erase(at);
      } else {
        ++at;
      }
    }
    empty_chunks_ = 0;
  }

  std::mutex mutex_;
  std::vector<std::byte*> free_[kClasses];
  // Every chunk carved, with how many of its blocks are in use.
  std::unordered_map<std::byte*, std::size_t> chunks_;
  std::size_t free_bytes_ = 0;
  std::size_t used_bytes_ = 0;
  // Chunks with no block in use.
  std::size_t empty_chunks_ = 0;
  // Managers alive.
  std::size_t users_ = 0;
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

CopyBlocksUser::CopyBlocksUser() noexcept {
  copy_blocks().add_user();
}
CopyBlocksUser::~CopyBlocksUser() {
  copy_blocks().remove_user();
}

// Frees a block from read_copy(); its bytes are never written after the read.
void free_copy(const std::byte* bytes, std::size_t size) noexcept {
  auto* block = const_cast<std::byte*>(bytes);
  const std::size_t index = CopyBlocks::class_of(size);
  if (index < CopyBlocks::kClasses) return copy_blocks().give(index, block);
  ::operator delete[](block, kCopyAlignment);
}

Mapping read_copy(NativeFile file, const std::string& what, std::uint64_t ofs, std::size_t size) {
  SMMAP_DCHECK(size > 0);
  // Not value-initialised: the read writes every byte or the block is freed.
  std::byte* bytes = allocate_copy(size);
  try {
    read_exactly(file, what, ofs, {bytes, size});
  } catch (...) {
    free_copy(bytes, size);
    throw;
  }
  return Mapping{{bytes, size}, true};
}

}  // namespace smmap::detail

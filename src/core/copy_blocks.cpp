// The blocks copy windows are read into, and read_copy(), for both ports
// (whose read_exactly() does the read: port/posix/mapping.cpp and
// port/windows/mapping.cpp).
#include <algorithm>
#include <array>
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
// Memory goes back, in two ways:
// - Free blocks hold memory only once written. A block's class serves only
//   copies of that size, so as the mix of sizes drifts, free blocks of one
//   class could pile up while another class carves new chunks. So the free
//   blocks that hold memory are kept up to kMostWrittenFree bytes, all
//   classes together; beyond that a freed block's pages go back to the
//   system (release_pages) and the block stays free as address space only,
//   taken after every block that holds memory and before a new chunk.
// - When the free blocks exceed the blocks in use by more than kMostFree (a
//   manager evicted or collected its copy windows, lowered its copy budget,
//   or went), the chunks with no block in use are returned to the system,
//   but for the kEmptyChunksKept holding the most written blocks; when no
//   manager is left, every one.
// So the pool holds at most the blocks in use plus kMostWrittenFree bytes.
class CopyBlocks {
 public:
  static constexpr std::size_t kClasses = 10;  // 4 KiB ... 2 MiB
  static_assert((kPage << (kClasses - 1)) == kChunkSize, "the largest block is a chunk");
  static constexpr std::size_t kMostWrittenFree = 4 * 1024 * 1024;
  // Free blocks, written or not, beyond the blocks in use, before empty
  // chunks go back: what is kept written, and a chunk. Less, and a scan that
  // holds one window would give back the chunk of the window it just left,
  // then fault in a new one for the next.
  static constexpr std::size_t kMostFree = kMostWrittenFree + kChunkSize;
  // Empty chunks kept when the others go back (while a manager lives): those
  // holding the most written blocks. Returned, a chunk costs a fault per page
  // when its memory is needed again.
  static constexpr std::size_t kEmptyChunksKept = kMostWrittenFree / kChunkSize;

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
    Free& free = free_[index];
    if (free.written.empty() && free.released.empty()) {
      // Both lists can hold every block of the class: give() never allocates.
      const std::size_t blocks = free.carved + kChunkSize / size;
      free.written.reserve(blocks);
      free.released.reserve(blocks);
      chunks_.reserve(chunks_.size() + 1);
      std::byte* chunk = allocate_chunk();
      chunks_.emplace(chunk, Chunk{});  // reserved: does not throw
      ++empty_chunks_;
      // Never written: the blocks of a new chunk hold no memory yet.
      for (std::size_t at = kChunkSize; at > 0; at -= size)
        free.released.push_back(chunk + at - size);
      free.carved = blocks;
      free_bytes_ += kChunkSize / size * size;
    }
    // A block that holds memory first: a released one faults in page by page.
    std::vector<std::byte*>& from = free.written.empty() ? free.released : free.written;
    std::byte* block = from.back();
    from.pop_back();
    Chunk& chunk = chunks_.find(chunk_of(block))->second;
    if (&from == &free.written) {
      written_free_bytes_ -= size;
      chunk.written_free_bytes -= size;
    }
    if (chunk.blocks_in_use++ == 0) --empty_chunks_;
    free_bytes_ -= size;
    used_bytes_ += size;
    return block;
  }
  void give(std::size_t index, std::byte* block) noexcept {
    std::lock_guard lock(mutex_);
    const std::size_t size = kPage << index;
    Free& free = free_[index];
    Chunk& chunk = chunks_.find(chunk_of(block))->second;
    // Neither push allocates: capacity covers every block carved.
    if (written_free_bytes_ + size <= kMostWrittenFree) {
      free.written.push_back(block);
      written_free_bytes_ += size;
      chunk.written_free_bytes += size;
    } else {
      release_pages(block, size);
      free.released.push_back(block);
    }
    if (--chunk.blocks_in_use == 0) ++empty_chunks_;
    free_bytes_ += size;
    used_bytes_ -= size;
    if (users_ == 0 ? empty_chunks_ != 0
                    : empty_chunks_ > kEmptyChunksKept && free_bytes_ > used_bytes_ + kMostFree) {
      trim();
    }
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
  struct Chunk {
    std::size_t blocks_in_use = 0;
    std::size_t written_free_bytes = 0;
    bool returning = false;  // while trim() runs
  };
  struct Free {
    std::vector<std::byte*> written;   // hold memory: written by a copy
    std::vector<std::byte*> released;  // hold none: never written, or released
    std::size_t carved = 0;            // blocks of the class, in use or free
  };

  static std::byte* chunk_of(std::byte* block) noexcept {
    const auto address = reinterpret_cast<std::uintptr_t>(block);
    return reinterpret_cast<std::byte*>(address - address % kChunkSize);
  }

  // Returns the chunks with no block in use to the system: every one when no
  // manager is left, else all but the kEmptyChunksKept holding the most
  // written blocks. O(free blocks); it runs when chunks have emptied and free
  // memory exceeds what is in use.
  void trim() noexcept {
    // The chunks kept, most written first; one more slot to insert into.
    std::array<Chunk*, kEmptyChunksKept + 1> kept{};
    std::size_t kept_count = 0;
    std::size_t returned = 0;
    for (auto& [address, chunk] : chunks_) {
      if (chunk.blocks_in_use != 0) continue;
      chunk.returning = true;
      ++returned;
      if (users_ == 0 || chunk.written_free_bytes == 0) continue;
      std::size_t at = kept_count++;
      for (; at > 0 && kept[at - 1]->written_free_bytes < chunk.written_free_bytes; --at) {
        kept[at] = kept[at - 1];
      }
      kept[at] = &chunk;
      kept_count = std::min(kept_count, kEmptyChunksKept);
    }
    for (std::size_t i = 0; i < kept_count; ++i) kept[i]->returning = false;
    returned -= kept_count;
    if (returned == 0) return;
    for (std::size_t index = 0; index < kClasses; ++index) {
      Free& free = free_[index];
      const std::size_t size = kPage << index;
      const auto returning = [&](std::byte* block) {
        return chunks_.find(chunk_of(block))->second.returning;
      };
      const std::size_t written = std::erase_if(free.written, returning);
      const std::size_t released = std::erase_if(free.released, returning);
      written_free_bytes_ -= written * size;
      free_bytes_ -= (written + released) * size;
      free.carved -= written + released;
    }
    for (auto at = chunks_.begin(); at != chunks_.end();) {
      if (at->second.returning) {
        free_chunk(at->first);
        at = chunks_.erase(at);
      } else {
        ++at;
      }
    }
    empty_chunks_ = kept_count;
  }

  std::mutex mutex_;
  Free free_[kClasses];
  // Every chunk carved, with how many of its blocks are in use.
  std::unordered_map<std::byte*, Chunk> chunks_;
  std::size_t free_bytes_ = 0;
  std::size_t written_free_bytes_ = 0;  // of free_bytes_, the written blocks'
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

std::size_t copy_block_size(std::size_t size) noexcept {
  const std::size_t index = CopyBlocks::class_of(size);
  if (index < CopyBlocks::kClasses) return kPage << index;
  return (size + kPage - 1) / kPage * kPage;
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

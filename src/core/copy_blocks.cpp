// The blocks copy windows are read into, and read_copy(), for both ports
// (whose read_exactly() does the read: port/posix/mapping.cpp and
// port/windows/mapping.cpp).
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <new>
#include <unordered_map>
#include <utility>
#include <vector>

#include "port/mapping.hpp"
#include "port/memory.hpp"
#include "util/check.hpp"

namespace smmap::detail {
namespace {

// The smallest block: the smallest page of the systems the library runs on.
// Where pages are larger (16 or 64 KiB on some ARM64 kernels), copy windows
// are whole pages of that size and the smaller blocks go unused.
constexpr std::size_t kPage = 4096;

// Copies start on a page, like the mappings they stand in for: a block lies
// at a multiple of its size in a chunk aligned to its size, so it is aligned
// to any page no larger than itself; a copy larger
// than a chunk is aligned to kPage. Nothing depends on more: copies are read
// with pread, never mapped or guarded.
constexpr std::align_val_t kCopyAlignment{kPage};

// Blocks for copy windows, in power-of-two sizes from one page to one chunk,
// carved from 2 MiB chunks and reused, process-wide: a buddy allocator. Copy
// windows come and go one per miss; taken from the general heap, a large
// block would be a fresh anonymous mapping each time (mmap, a fault per page,
// munmap: the very costs copy windows avoid), and small ones would interleave
// with the manager's nodes, so that its lookups and evictions touched pages
// scattered over the heap (docs/design.md, "Adaptive windows").
//
// A block is taken from a free block of its size, or split from a larger one;
// a block given back merges with its free buddy, and that with its own, so a
// chunk with nothing in use is one free block again. So memory written for a
// copy of one size serves the next copy of any size: as the sizes of copies
// drift (a cluster's window grows, a scan's shrinks), no page is given back
// and faulted in again for it.
//
// Memory goes back, in two ways:
// - A free page holds memory only once written. The written free pages are
//   kept up to kMostWrittenFree bytes; beyond that a freed block's pages go
//   back to the system at once (release_pages) and its addresses stay free.
//   A copy takes free blocks that hold memory before those that hold none,
//   and those before a new chunk.
// - When the free pages exceed the pages in use by more than kMostFree (a
//   manager evicted or collected its copy windows, lowered its copy budget,
//   or went), the chunks with no page in use are returned to the system, but
//   for the kEmptyChunksKept holding the most written pages; when no manager
//   is left, every one.
// So the pool holds at most the blocks in use plus kMostWrittenFree bytes.
class CopyBlocks {
 public:
  static constexpr std::size_t kOrders = 10;  // 4 KiB ... 2 MiB
  static constexpr std::size_t kPagesPerChunk = kChunkSize / kPage;
  static_assert((std::size_t{1} << (kOrders - 1)) == kPagesPerChunk,
                "the largest block is a chunk");
  static constexpr std::size_t kMostWrittenFree = 4 * 1024 * 1024;
  // Free memory, written or not, beyond the blocks in use, before empty
  // chunks go back: what is kept written, and a chunk. Less, and a scan that
  // holds one window would give back the chunk of the window it just left,
  // then fault in a new one for the next.
  static constexpr std::size_t kMostFree = kMostWrittenFree + kChunkSize;
  // Empty chunks kept when the others go back (while a manager lives): those
  // holding the most written pages. Returned, a chunk costs a fault per page
  // when its memory is needed again.
  static constexpr std::size_t kEmptyChunksKept = kMostWrittenFree / kChunkSize;

  // The order of the block that holds |size| bytes (a block of order k is
  // kPage << k bytes), or kOrders if none does.
  static std::size_t order_of(std::size_t size) noexcept {
    std::size_t order = 0;
    for (std::size_t block = kPage; block < size; block *= 2) {
      if (++order == kOrders) break;
    }
    return order;
  }

  // A block of order |order| whose first |size| bytes the caller writes.
  // Throws std::bad_alloc.
  std::byte* take(std::size_t order, std::size_t size) {
    std::lock_guard lock(mutex_);
    // A block that holds memory first, the smallest that will do; then one
    // that holds none; then a new chunk.
    Place place{};
    for (const bool holding : {true, false}) {
      for (std::size_t from = order; from < kOrders && place.chunk == nullptr; ++from) {
        Blocks& blocks = free_[from].of(holding);
        if (!blocks.empty()) place = blocks.back();
      }
      if (place.chunk != nullptr) break;
    }
    if (place.chunk == nullptr) place = add_chunk();
    std::size_t from = place.chunk->free_order[place.page];
    remove_free(place);
    // Split: the upper halves stay free.
    while (from > order) {
      --from;
      insert_free(Place{place.chunk, place.page + (std::size_t{1} << from)}, from);
    }
    Chunk& chunk = *place.chunk;
    const std::size_t pages = std::size_t{1} << order;
    if (chunk.pages_in_use == 0) --empty_chunks_;
    chunk.pages_in_use += pages;
    used_pages_ += pages;
    const std::size_t writes = std::min(pages, (size + kPage - 1) / kPage);
    chunk.set_written(place.page, writes, true);
    return chunk.base + place.page * kPage;
  }

  void give(std::size_t order, std::byte* block) noexcept {
    std::lock_guard lock(mutex_);
    Chunk& chunk = *chunks_.find(chunk_base(block))->second;
    const std::size_t pages = std::size_t{1} << order;
    std::size_t page = static_cast<std::size_t>(block - chunk.base) / kPage;
    const std::size_t written = chunk.written_in(page, pages);
    if (batches_ == 0 && written_free_pages_ + written > kMostWrittenFree / kPage) {
      release_pages(block, pages * kPage);
      chunk.set_written(page, pages, false);
    }
    chunk.pages_in_use -= pages;
    used_pages_ -= pages;
    if (chunk.pages_in_use == 0) ++empty_chunks_;
    // Merge with free buddies as far as they go.
    for (; order + 1 < kOrders; ++order) {
      const std::size_t buddy = page ^ (std::size_t{1} << order);
      if (chunk.free_order[buddy] != order) break;
      remove_free(Place{&chunk, buddy});
      page = std::min(page, buddy);
    }
    insert_free(Place{&chunk, page}, order);
    if (batches_ == 0 && should_trim()) trim();
  }

  // Many blocks are about to be given back at once (see CopyBlocksBatch).
  void begin_batch() noexcept {
    std::lock_guard lock(mutex_);
    ++batches_;
  }
  void end_batch() noexcept {
    std::lock_guard lock(mutex_);
    if (--batches_ != 0) return;
    if (should_trim()) trim();
    release_beyond_kept();
  }

  // A manager begins or ends using the pool; when the last one ends, every
  // chunk with no page in use goes back.
  void add_user() noexcept {
    std::lock_guard lock(mutex_);
    ++users_;
  }
  void remove_user() noexcept {
    std::lock_guard lock(mutex_);
    if (--users_ == 0 && batches_ == 0 && empty_chunks_ != 0) trim();
  }

 private:
  static constexpr std::uint8_t kNotFree = 0xFF;

  struct Chunk {
    explicit Chunk(std::byte* chunk_base) noexcept : base(chunk_base) { free_order.fill(kNotFree); }
    // Written pages in the block [page, page + pages): an aligned power of
    // two, so within one word or over whole words.
    std::size_t written_in(std::size_t page, std::size_t pages) const noexcept {
      if (pages < 64) {
        const std::uint64_t mask = ((std::uint64_t{1} << pages) - 1) << (page % 64);
        return static_cast<std::size_t>(std::popcount(written[page / 64] & mask));
      }
      std::size_t count = 0;
      for (std::size_t word = page / 64; word < (page + pages) / 64; ++word) {
        count += static_cast<std::size_t>(std::popcount(written[word]));
      }
      return count;
    }
    void set_written(std::size_t page, std::size_t pages, bool holding) noexcept {
      for (std::size_t at = page; at < page + pages; ++at) {
        const std::uint64_t bit = std::uint64_t{1} << (at % 64);
        written[at / 64] = holding ? written[at / 64] | bit : written[at / 64] & ~bit;
      }
    }
    std::size_t written_pages() const noexcept { return written_in(0, kPagesPerChunk); }

    std::byte* const base;
    std::size_t pages_in_use = 0;
    bool returning = false;  // while trim() runs
    // Pages holding memory (written by a copy and not released since), a
    // bit each.
    std::array<std::uint64_t, kPagesPerChunk / 64> written{};
    // For the first page of a free block, its order (kNotFree for every
    // other page) and its place in its list of free blocks.
    std::array<std::uint8_t, kPagesPerChunk> free_order;
    std::array<std::uint32_t, kPagesPerChunk> index;
  };
  // A block: its chunk and its first page there.
  struct Place {
    Chunk* chunk;
    std::size_t page;
  };
  using Blocks = std::vector<Place>;
  // The free blocks of an order: those holding memory (a page or more
  // written) and those holding none.
  struct Free {
    Blocks holding;
    Blocks empty;
    Blocks& of(bool holding_memory) noexcept { return holding_memory ? holding : empty; }
  };

  static std::byte* chunk_base(std::byte* block) noexcept {
    const auto address = reinterpret_cast<std::uintptr_t>(block);
    return reinterpret_cast<std::byte*>(address - address % kChunkSize);
  }

  // The most free blocks of order |order| a chunk can hold at once: a free
  // block's buddy is never free too, but for the whole chunk's.
  static std::size_t most_free(std::size_t order) noexcept {
    return order + 1 == kOrders ? 1 : (kPagesPerChunk >> order) / 2;
  }

  // A new chunk, as one free block holding no memory. Every list gets room
  // for what the chunks can hold, so insert_free() never allocates.
  Place add_chunk() {
    for (std::size_t order = 0; order < kOrders; ++order) {
      const std::size_t room = (chunks_.size() + 1) * most_free(order);
      free_[order].holding.reserve(room);
      free_[order].empty.reserve(room);
    }
    std::byte* base = allocate_chunk();
    try {
      auto chunk = std::make_unique<Chunk>(base);
      Chunk* const added = chunk.get();
      chunks_.emplace(base, std::move(chunk));
      ++empty_chunks_;
      insert_free(Place{added, 0}, kOrders - 1);
      return Place{added, 0};
    } catch (...) {
      free_chunk(base);
      throw;
    }
  }

  void insert_free(Place place, std::size_t order) noexcept {
    Chunk& chunk = *place.chunk;
    const std::size_t written = chunk.written_in(place.page, std::size_t{1} << order);
    written_free_pages_ += written;
    Blocks& blocks = free_[order].of(written != 0);
    chunk.free_order[place.page] = static_cast<std::uint8_t>(order);
    chunk.index[place.page] = static_cast<std::uint32_t>(blocks.size());
    blocks.push_back(place);  // reserved: does not allocate
  }

  void remove_free(Place place) noexcept {
    Chunk& chunk = *place.chunk;
    const std::size_t order = chunk.free_order[place.page];
    SMMAP_DCHECK(order < kOrders);
    const std::size_t written = chunk.written_in(place.page, std::size_t{1} << order);
    written_free_pages_ -= written;
    Blocks& blocks = free_[order].of(written != 0);
    const std::uint32_t at = chunk.index[place.page];
    const Place last = blocks.back();
    blocks[at] = last;
    last.chunk->index[last.page] = at;
    blocks.pop_back();
    chunk.free_order[place.page] = kNotFree;
  }

  // Whether chunks with no page in use should go back now.
  bool should_trim() const noexcept {
    if (users_ == 0) return empty_chunks_ != 0;
    const std::size_t free_pages = chunks_.size() * kPagesPerChunk - used_pages_;
    return empty_chunks_ > kEmptyChunksKept && free_pages > used_pages_ + kMostFree / kPage;
  }

  // Gives back the pages of free blocks, largest first, until the written
  // free pages are within kMostWrittenFree.
  void release_beyond_kept() noexcept {
    for (std::size_t order = kOrders; order-- > 0;) {
      Blocks& holding = free_[order].holding;
      while (written_free_pages_ > kMostWrittenFree / kPage && !holding.empty()) {
        const Place place = holding.back();
        const std::size_t pages = std::size_t{1} << order;
        remove_free(place);
        release_pages(place.chunk->base + place.page * kPage, pages * kPage);
        place.chunk->set_written(place.page, pages, false);
        insert_free(place, order);  // now holding none
      }
    }
  }

  // Returns the chunks with no page in use to the system: every one when no
  // manager is left, else all but the kEmptyChunksKept holding the most
  // written pages. O(chunks); it runs when chunks have emptied and free
  // memory exceeds what is in use.
  void trim() noexcept {
    // The chunks kept, most written first; one more slot to insert into.
    std::array<std::pair<Chunk*, std::size_t>, kEmptyChunksKept + 1> kept{};
    std::size_t kept_count = 0;
    std::size_t returned = 0;
    for (auto& [base, chunk] : chunks_) {
      if (chunk->pages_in_use != 0) continue;
      chunk->returning = true;
      ++returned;
      const std::size_t written = chunk->written_pages();
      if (users_ == 0 || written == 0) continue;
      std::size_t at = kept_count++;
      for (; at > 0 && kept[at - 1].second < written; --at) kept[at] = kept[at - 1];
      kept[at] = {chunk.get(), written};
      kept_count = std::min(kept_count, kEmptyChunksKept);
    }
    for (std::size_t i = 0; i < kept_count; ++i) kept[i].first->returning = false;
    if (returned == kept_count) return;
    for (auto at = chunks_.begin(); at != chunks_.end();) {
      Chunk& chunk = *at->second;
      if (!chunk.returning) {
        ++at;
        continue;
      }
      // Nothing in use: the chunk is one free block.
      SMMAP_DCHECK(chunk.free_order[0] == kOrders - 1);
      remove_free(Place{&chunk, 0});
      free_chunk(chunk.base);
      at = chunks_.erase(at);
    }
    empty_chunks_ = kept_count;
    if (chunks_.empty()) {
      // The lists' room for the chunks that went goes too.
      for (Free& free : free_) {
        Blocks().swap(free.holding);
        Blocks().swap(free.empty);
      }
    }
  }

  std::mutex mutex_;
  Free free_[kOrders];
  // Every chunk, by its address.
  std::unordered_map<std::byte*, std::unique_ptr<Chunk>> chunks_;
  std::size_t used_pages_ = 0;
  // Free pages holding memory.
  std::size_t written_free_pages_ = 0;
  // Chunks with no page in use.
  std::size_t empty_chunks_ = 0;
  // Managers alive.
  std::size_t users_ = 0;
  // CopyBlocksBatch objects alive.
  std::size_t batches_ = 0;
};

CopyBlocks& copy_blocks() {
  static CopyBlocks* const blocks = new CopyBlocks;  // outlives every static manager
  return *blocks;
}

}  // namespace

std::byte* allocate_copy(std::size_t size) {
  const std::size_t order = CopyBlocks::order_of(size);
  if (order < CopyBlocks::kOrders) return copy_blocks().take(order, size);
  return static_cast<std::byte*>(::operator new[](size, kCopyAlignment));
}

CopyBlocksUser::CopyBlocksUser() noexcept {
  copy_blocks().add_user();
}
CopyBlocksUser::~CopyBlocksUser() {
  copy_blocks().remove_user();
}

CopyBlocksBatch::CopyBlocksBatch() noexcept {
  copy_blocks().begin_batch();
}
CopyBlocksBatch::~CopyBlocksBatch() {
  copy_blocks().end_batch();
}

std::size_t copy_block_size(std::size_t size) noexcept {
  const std::size_t order = CopyBlocks::order_of(size);
  if (order < CopyBlocks::kOrders) return kPage << order;
  return (size + kPage - 1) / kPage * kPage;
}

// Frees a block from read_copy(); its bytes are never written after the read.
void free_copy(const std::byte* bytes, std::size_t size) noexcept {
  auto* block = const_cast<std::byte*>(bytes);
  const std::size_t order = CopyBlocks::order_of(size);
  if (order < CopyBlocks::kOrders) return copy_blocks().give(order, block);
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

// Memory from the system: the granularity windows are placed at, and the
// 2 MiB chunks the manager's own structures are carved from (the nodes of
// its region maps, util/node_pool.hpp; the blocks of copy windows,
// core/copy_blocks.cpp).
//
// Thread safety: thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace smmap::detail {

// The size of a chunk. Also the largest copy window (policy/adaptive_windows.cpp), which is one
// block of a chunk.
inline constexpr std::size_t kChunkSize = std::size_t{2} << 20;

// The multiple every window starts at: the page size on POSIX, the
// allocation granularity (64 KiB) on Windows. Asked of the system once.
std::uint64_t system_allocation_granularity() noexcept;

// A chunk of kChunkSize bytes aligned to kChunkSize, in small pages: memory
// faults in page by page as it is used and a chunk holds no more than that.
// (Asked for a large page, Linux may stall the fault in compaction, and a
// half-used chunk would hold 2 MiB: docs/benchmarks.md, "Read-throughs".)
// Throws std::bad_alloc.
std::byte* allocate_chunk();
// Gives the chunk back: on POSIX to the system at once (munmap); on Windows
// to the process heap. REQUIRES: |chunk| came from allocate_chunk().
void free_chunk(std::byte* chunk) noexcept;
// Gives the memory of [pages, pages + size) back while keeping the
// addresses: on POSIX the pages are dropped at once (MADV_DONTNEED) and
// fault in again, zeroed, when next written; on Windows their contents are
// discarded (MEM_RESET) and the system reclaims them when it needs to.
// REQUIRES: the range lies in one chunk and is page-aligned.
void release_pages(std::byte* pages, std::size_t size) noexcept;

}  // namespace smmap::detail

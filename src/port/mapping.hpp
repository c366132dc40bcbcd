// Making and undoing the bytes of a region: a read-only shared mapping, or,
// where the file system cannot map the file (ENODEV), a heap copy of them.
// POSIX: mmap and pread (port/posix/mapping.cpp). Windows:
// CreateFileMappingW, MapViewOfFile and positioned ReadFile
// (port/windows/mapping.cpp).
//
// Thread safety: thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "platform.hpp"

namespace smmap::detail {

struct Mapping {
  std::span<const std::byte> bytes;
  bool copied = false;  // bytes is a heap block read with pread, not a mapping
};

// Maps [ofs, ofs + size) of |file|; |what| names the file in errors.
// REQUIRES: ofs is a multiple of ALLOCATIONGRANULARITY, size > 0 and fits the
// file.
// Throws std::system_error naming the file, offset and size.
Mapping map_or_copy(NativeFile file, const std::string& what, std::uint64_t ofs, std::size_t size);

// Reads [ofs, ofs + size) of |file| into a new page-aligned heap block: a
// copy window (docs/design.md, "Adaptive windows"), or the stand-in for a
// mapping the file system refuses. A positioned read: pread on POSIX,
// ReadFile at an explicit offset on Windows.
// REQUIRES: size > 0.
// Throws std::system_error naming the file, offset and size on a read error
// or when the file ends before ofs + size (EIO).
Mapping read_copy(NativeFile file, const std::string& what, std::uint64_t ofs, std::size_t size);

// Reads [ofs, ofs + into.size()) of |file| into |into|: a read-through
// (core/read_through_region.hpp). The same positioned read as read_copy().
// REQUIRES: into is not empty.
// Throws std::system_error naming the file, offset and size on a read error
// or when the file ends before ofs + into.size() (EIO).
void read_exactly(NativeFile file, const std::string& what, std::uint64_t ofs,
                  std::span<std::byte> into);

// The heap blocks read_copy() reads into (src/core/copy_blocks.cpp): page-aligned;
// blocks of up to 2 MiB come from a process-wide pool, by power-of-two size.
std::byte* allocate_copy(std::size_t size);
void free_copy(const std::byte* bytes, std::size_t size) noexcept;
// The memory a copy of |size| bytes holds: its block, which may be up to
// twice as large (a power of two), or |size| in whole pages beyond 2 MiB.
std::size_t copy_block_size(std::size_t size) noexcept;
// A user of the pool (a manager) while it lives: when the last one goes,
// the pool returns every chunk with no block in use to the system.
class CopyBlocksUser {
 public:
  CopyBlocksUser() noexcept;
  ~CopyBlocksUser();
  CopyBlocksUser(const CopyBlocksUser&) = delete;
  CopyBlocksUser& operator=(const CopyBlocksUser&) = delete;
};
// Copy windows freed together (collect(), a manager going): while one of
// these lives, blocks given back keep their pages and no chunk goes back;
// when the last goes, the pool returns its empty chunks and then gives back
// free pages beyond what it keeps. Freed blocks merge into whole chunks,
// each returned with one call, instead of a call per block.
class CopyBlocksBatch {
 public:
  CopyBlocksBatch() noexcept;
  ~CopyBlocksBatch();
  CopyBlocksBatch(const CopyBlocksBatch&) = delete;
  CopyBlocksBatch& operator=(const CopyBlocksBatch&) = delete;
};

// Undoes map_or_copy() and read_copy() (and detach_from_file()).
void unmap(const Mapping& mapping) noexcept;

// Fills the page tables of the mapped view |mapping| without touching it,
// so that reading it later faults no more (a prefetch). Never raises a
// signal: where the file no longer holds the pages (truncated) it stops and
// returns false, as it does where the system cannot do it (Linux before
// 5.14: MADV_POPULATE_READ; Windows: nothing to do, true). A copy is left as
// it is.
bool populate(const Mapping& mapping) noexcept;

// Replaces the mapped view |mapping| by private read-only memory at the same
// address holding the same bytes (zeros for any the file no longer has), so
// that pointers into it stay valid while the file is no longer mapped. Ends
// the process (std::abort) when it cannot keep that promise: no memory for
// the copy, or (on Windows) another thread took the address range in the
// moment between unmapping the view and allocating the memory. A copied
// mapping is left as it is.
void detach_from_file(const Mapping& mapping) noexcept;

}  // namespace smmap::detail

// ManagedRegion: a MapRegion that belongs to a manager — its file entry, the
// number of cursors pinning it, and its links in the manager's list of
// unpinned regions.
//
// Thread safety: everything but the pin count is guarded by the manager's
// mutex. The pin count is written under that mutex and read anywhere.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "port/mapping.hpp"
#include "smmap/region.hpp"
#include "util/intrusive_lru.hpp"

namespace smmap::detail {

class FileEntry;

class ManagedRegion final : public MapRegion {
 public:
  // Maps [ofs, ofs + size) of |owner|'s file, pinned once.
  // REQUIRES: the manager's mutex is held; ofs is aligned and size > 0 fits the file.
  // Throws std::system_error naming the file, offset and size.
  ManagedRegion(FileEntry& owner, std::uint64_t ofs, std::size_t size);
  // Reads [ofs, ofs + size) of |owner|'s file into a copy window, pinned once.
  // Same requirements; throws std::system_error also when the file ended.
  struct CopyWindow {};
  ManagedRegion(FileEntry& owner, std::uint64_t ofs, std::size_t size, CopyWindow);

  int client_count() const noexcept override { return 1 + pins(); }
  // Cursors pinning it. Written only by the manager's RegionLru, under the
  // manager's mutex; read anywhere (client_count() is a snapshot). Relaxed
  // suffices on any memory model (ARM64's too): the mutex orders the writes
  // with the rest of the region's state, and a reader outside it reaches
  // nothing through the count.
  int pins() const noexcept { return pins_.load(std::memory_order_relaxed); }
  void set_pins(int pins) noexcept { pins_.store(pins, std::memory_order_relaxed); }
  FileEntry& owner() const noexcept { return *owner_; }

  // Requests served: pins taken plus the cursor hits reported on it
  // (AccessPattern judges evicted windows by it).
  std::uint64_t uses() const noexcept { return uses_; }
  void add_uses(std::uint64_t uses) noexcept { uses_ += uses; }
  // Made by adaptive windows, rather than copied because the file system
  // cannot map the file.
  bool is_copy_window() const noexcept { return copy_window_; }
  // The memory a copy window holds against the copy budget: its block of the
  // copy pool (port/mapping.hpp, copy_block_size()).
  std::uint64_t block_size() const noexcept { return copy_block_size(size()); }
  // Mapped ahead of a scan by the prefetcher, and not yet reached by a
  // request (the first one that reaches it calls set_reached()).
  bool is_prefetched() const noexcept { return prefetch_ == Prefetch::kAhead; }
  void set_prefetched() noexcept { prefetch_ = Prefetch::kAhead; }
  void set_reached() noexcept { prefetch_ = Prefetch::kReached; }
  // Mapped by the prefetcher, reached or not.
  bool was_prefetched() const noexcept { return prefetch_ != Prefetch::kNo; }
  // Found by a lookup after the miss that made it: it served more than the
  // cursor that made it, or that cursor more than once.
  bool revisited() const noexcept { return revisited_; }
  void set_revisited() noexcept { revisited_ = true; }

  // Links in the manager's list of unused regions while it has no pin; only
  // that list (RegionLru) touches them.
  LruLinks<ManagedRegion> unused_links;
  // The same in its list of unused copy windows, while it is one.
  LruLinks<ManagedRegion> unused_copy_links;
  // Links in its file's list of copy windows (CopyWindows), if it is one.
  LruLinks<ManagedRegion> file_copy_links;

 private:
  ManagedRegion(FileEntry& owner, std::uint64_t ofs, const Mapping& mapping) noexcept;

  FileEntry* const owner_;
  std::atomic<int> pins_{1};
  std::uint64_t uses_ = 1;
  bool copy_window_ = false;
  bool revisited_ = false;
  enum class Prefetch : unsigned char { kNo, kAhead, kReached };
  Prefetch prefetch_ = Prefetch::kNo;
};

}  // namespace smmap::detail

// ManagerCore: the state shared by a manager object and all its cursors.
//
// It owns every file entry (MapRegionList) and, through them, every region.
// Unpinned regions sit in an intrusive list in the order their last pin was
// released; eviction takes them from the cold end in O(1) (as LevelDB's LRU
// cache does).
//
// Thread safety: every public method locks mutex_; nothing is called with it
// held from outside.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "smmap/cursor.hpp"
#include "smmap/manager.hpp"
#include "smmap/region.hpp"
#include "smmap/region_list.hpp"
#include "smmap/stats.hpp"

namespace smmap::detail {

class ManagerCore : public std::enable_shared_from_this<ManagerCore> {
 public:
  // Sizes are already resolved: |window_size| is the largest window, 0 for
  // whole files; |cursor_window_size| is what window_size() reports and caps
  // the size cursors report (they differ only for a static manager).
  ManagerCore(std::uint64_t window_size, std::uint64_t cursor_window_size,
              std::uint64_t max_memory_size, std::uint64_t max_handles);
  ManagerCore(const ManagerCore&) = delete;
  ManagerCore& operator=(const ManagerCore&) = delete;
  // REQUIRES: no cursor is alive (they keep the core alive).
  ~ManagerCore();

  WindowCursor make_cursor(const PathOrFd& source);

  // Releases |old| (may be null) and returns |list|'s region holding
  // |offset|, pinned, mapping one if needed. |hits| are the cursor's
  // unreported hits. On throw, |old| is released all the same.
  // REQUIRES: offset < list->file_size().
  MapRegion* switch_region(MapRegionList* list, MapRegion* old, std::uint64_t offset,
                           std::uint64_t size, std::uint64_t hits);
  // Releases a pin of |region| (may be null).
  void release(MapRegion* region, std::uint64_t hits) noexcept;
  // A cursor copy: one more cursor on |list| and one more pin of |region|
  // (may be null).
  void attach(MapRegionList* list, MapRegion* region) noexcept;
  // A cursor going away: releases |region| (may be null) and its association.
  void detach(MapRegionList* list, MapRegion* region, std::uint64_t hits) noexcept;

  std::size_t num_regions() const;
  std::size_t num_open_files() const;
  std::uint64_t mapped_memory_size() const;
  std::uint64_t window_size() const noexcept { return cursor_window_size_; }
  std::uint64_t max_handles() const noexcept { return max_handles_; }
  std::uint64_t max_memory_size() const noexcept { return max_memory_size_; }
  bool align_large_windows() const;
  void set_align_large_windows(bool align);

  std::size_t collect();
  std::size_t collect_lru_region(std::uint64_t size);
  ManagerStats stats() const;

 private:
  using Key = std::variant<std::string, int>;
  static Key key_of(const PathOrFd& source);

  MapRegionList* current_list_for(const PathOrFd& source);
  MapRegion* obtain_region_locked(MapRegionList* list, std::uint64_t offset, std::uint64_t size);
  MapRegion* map_region_locked(MapRegionList* list, std::uint64_t offset, std::uint64_t size);
  void pin_locked(MapRegion* region) noexcept;
  void unpin_locked(MapRegion* region) noexcept;
  // Unmaps unused regions, coldest first, while mapped + |incoming| exceeds
  // the memory limit. Returns how many.
  std::size_t evict_for_locked(std::uint64_t incoming) noexcept;
  // Unmaps every unused region. Returns how many.
  std::size_t evict_all_locked() noexcept;
  // Unmaps an unpinned region and returns its list, which may now be unused.
  MapRegionList* unmap_locked(MapRegion* region) noexcept;
  // Destroys |list| if nothing refers to it any more; a replaced list with no
  // cursor loses its regions first.
  void drop_if_unused_locked(MapRegionList* list) noexcept;
  void lru_push_newest(MapRegion* region) noexcept;
  void lru_unlink(MapRegion* region) noexcept;

  const std::uint64_t window_size_;         // largest sliding window; 0 for whole files
  const std::uint64_t cursor_window_size_;  // what window_size() reports
  const std::uint64_t max_memory_size_;
  const std::uint64_t max_handles_;

  mutable std::mutex mutex_;
  // GUARDED_BY(mutex_) from here on.
  std::unordered_map<Key, std::unique_ptr<MapRegionList>> current_;
  // Lists replaced by a newer list for the same source, kept while their
  // cursors live.
  std::vector<std::unique_ptr<MapRegionList>> replaced_;
  MapRegion* lru_oldest_ = nullptr;
  MapRegion* lru_newest_ = nullptr;
  bool align_large_windows_ = kAlignLargeWindowsByDefault;
  std::uint64_t mapped_bytes_ = 0;
  std::size_t region_count_ = 0;
  ManagerStats stats_;
};

}  // namespace smmap::detail

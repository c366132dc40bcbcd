#include "manager_core.hpp"

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <limits>
#include <system_error>
#include <tuple>

#include "file_handle.hpp"
#include "smmap/window.hpp"
#include "system_calls.hpp"

namespace smmap::detail {
namespace {

bool is_out_of_descriptors(const std::system_error& error) {
  return error.code() == std::errc::too_many_files_open ||
         error.code() == std::errc::too_many_files_open_in_system;
}

// fstat() or stat() of a source as it is now, before its entry is looked up.
struct stat stat_source(const PathOrFd& source, const std::string& what) {
  if (const int* fd = std::get_if<int>(&source)) return stat_regular_file(*fd, what);
  struct stat info {};
  const auto& path = std::get<std::filesystem::path>(source);
  if (system_calls().stat(path.c_str(), &info) != 0) throw_system_error(errno, "stat", what);
  if (S_ISDIR(info.st_mode)) throw_system_error(EISDIR, "map", what);
  if (!S_ISREG(info.st_mode)) throw_system_error(ENODEV, "map (not a regular file)", what);
  return info;
}

// Starts |window| at the lowest multiple of kLargePageSize at or after
// |left_end| from which a window of at most |max_window| bytes, clipped at
// |right_start|, still holds [offset, wanted_end). Leaves it as smmap placed
// it when there is no such multiple at or before |offset|.
void align_to_large_page(MapWindow& window, std::uint64_t left_end, std::uint64_t right_start,
                         std::uint64_t offset, std::uint64_t wanted_end,
                         std::uint64_t max_window) noexcept {
  const std::uint64_t lowest =
      std::max(left_end, wanted_end > max_window ? wanted_end - max_window : 0);
  const std::uint64_t start = align_to_mmap(lowest, true, kLargePageSize);
  if (start > offset) return;
  window.ofs = start;
  window.size = std::min(start + max_window, right_start) - start;
}

}  // namespace

ManagerCore::ManagerCore(std::uint64_t window_size, std::uint64_t cursor_window_size,
                         std::uint64_t max_memory_size, std::uint64_t max_handles)
    : window_size_(window_size),
      cursor_window_size_(cursor_window_size),
      max_memory_size_(max_memory_size),
      max_handles_(max_handles) {}

ManagerCore::~ManagerCore() {
  // No cursor is left, so nothing is pinned: lists unmap their regions and
  // close their descriptors.
  current_.clear();
  replaced_.clear();
}

ManagerCore::Key ManagerCore::key_of(const PathOrFd& source) {
  if (const int* fd = std::get_if<int>(&source)) return *fd;
  return std::get<std::filesystem::path>(source).string();
}

WindowCursor ManagerCore::make_cursor(const PathOrFd& source) {
  const Key key = key_of(source);
  const MapRegionList::Identity now =
      MapRegionList::identify(stat_source(source, describe(source)));
  {
    std::lock_guard lock(mutex_);
    auto found = current_.find(key);
    if (found != current_.end() && found->second->identity_ == now) {
      MapRegionList* list = found->second.get();
      ++list->cursors_;
      return WindowCursor(shared_from_this(), list,
                          cursor_window_size_ ? cursor_window_size_ : list->file_size_);
    }
  }

  // A new entry. Opening can fail for want of descriptors: unused regions may
  // hold the last ones, so free them and try once more.
  std::unique_ptr<MapRegionList> fresh;
  try {
    fresh.reset(new MapRegionList(source, &mutex_));
  } catch (const std::system_error& error) {
    if (!is_out_of_descriptors(error)) throw;
    {
      std::lock_guard lock(mutex_);
      stats_.unmaps_by_eviction += evict_all_locked();
      ++stats_.map_retries;
    }
    fresh.reset(new MapRegionList(source, &mutex_));
  }

  std::lock_guard lock(mutex_);
  std::unique_ptr<MapRegionList>& slot = current_[key];
  if (!slot || slot->identity_ != fresh->identity_) {
    if (slot) {
      // The file was replaced or resized: old cursors keep the old entry.
      ++stats_.replaced_files;
      slot->current_ = false;
      replaced_.push_back(std::move(slot));
      drop_if_unused_locked(replaced_.back().get());
    }
    slot = std::move(fresh);
  }  // else another thread made an equal entry first; |fresh| closes after unlock.
  MapRegionList* list = slot.get();
  ++list->cursors_;
  return WindowCursor(shared_from_this(), list,
                      cursor_window_size_ ? cursor_window_size_ : list->file_size_);
}

MapRegion* ManagerCore::switch_region(MapRegionList* list, MapRegion* old, std::uint64_t offset,
                                      std::uint64_t size, std::uint64_t hits) {
  std::lock_guard lock(mutex_);
  stats_.cursor_hits += hits;
  if (old != nullptr) unpin_locked(old);
  return obtain_region_locked(list, offset, size);
}

void ManagerCore::release(MapRegion* region, std::uint64_t hits) noexcept {
  std::lock_guard lock(mutex_);
  stats_.cursor_hits += hits;
  if (region != nullptr) unpin_locked(region);
}

void ManagerCore::attach(MapRegionList* list, MapRegion* region) noexcept {
  std::lock_guard lock(mutex_);
  ++list->cursors_;
  if (region != nullptr) pin_locked(region);
}

void ManagerCore::detach(MapRegionList* list, MapRegion* region, std::uint64_t hits) noexcept {
  std::lock_guard lock(mutex_);
  stats_.cursor_hits += hits;
  if (region != nullptr) unpin_locked(region);
  --list->cursors_;
  drop_if_unused_locked(list);
}

MapRegion* ManagerCore::obtain_region_locked(MapRegionList* list, std::uint64_t offset,
                                             std::uint64_t size) {
  auto next = list->regions_.upper_bound(offset);
  if (next != list->regions_.begin()) {
    MapRegion& before = std::prev(next)->second;
    if (before.includes_ofs(offset)) {
      ++stats_.region_hits;
      pin_locked(&before);
      return &before;
    }
  }
  return map_region_locked(list, offset, size);
}

MapRegion* ManagerCore::map_region_locked(MapRegionList* list, std::uint64_t offset,
                                          std::uint64_t size) {
  const std::uint64_t file_size = list->file_size_;
  const std::uint64_t max_window = window_size_ == 0 ? file_size : window_size_;
  std::map<std::uint64_t, MapRegion>& regions = list->regions_;

  // Make room for a full window before placing it (SPEC 3.1, step 2).
  stats_.unmaps_by_eviction += evict_for_locked(std::min(max_window, file_size));

  for (int attempt = 0;; ++attempt) {
    // Place the window between its neighbours (SPEC 3.1, step 3).
    const auto next = regions.upper_bound(offset);
    const std::uint64_t left_end = next == regions.begin() ? 0 : std::prev(next)->second.ofs_end();
    const std::uint64_t right_start = next == regions.end() ? file_size : next->first;
    MapWindow window(0, file_size);  // whole files: the only region of its file
    if (window_size_ != 0) {
      window = MapWindow(offset, std::min(size, max_window));
      window.extend_left_to(MapWindow(left_end, 0), max_window);
      window.extend_right_to(MapWindow(right_start, 0), max_window);
      window.align();
      if (window.ofs_end() > right_start) window.size = right_start - window.ofs;
    }
    if (align_large_windows_ && window_size_ >= kLargePageSize) {
      align_to_large_page(window, left_end, right_start, offset,
                          std::min(offset + std::min(size, max_window), right_start), max_window);
    }

    // Alignment can make the window a little larger than planned, and the
    // handle limit is hard: free what is needed, coldest first.
    std::size_t evicted = evict_for_locked(window.size);
    while (region_count_ >= max_handles_ && lru_oldest_ != nullptr) {
      MapRegionList* owner = unmap_locked(lru_oldest_);
      drop_if_unused_locked(owner);
      ++evicted;
    }
    stats_.unmaps_by_eviction += evicted;

    try {
      if (region_count_ >= max_handles_) {
        throw_system_error(
            EMFILE,
            "map (limit of " + std::to_string(max_handles_) + " regions reached, all in use)",
            list->description_, window.ofs, window.size);
      }
      if (window.size > std::numeric_limits<std::size_t>::max()) {
        throw_system_error(ENOMEM, "mmap (larger than the address space)", list->description_,
                           window.ofs, window.size);
      }
      auto [where, inserted] =
          regions.emplace(std::piecewise_construct, std::forward_as_tuple(window.ofs),
                          std::forward_as_tuple(list->fd_, list->description_, window.ofs,
                                                static_cast<std::size_t>(window.size)));
      MapRegion* region = &where->second;
      region->owner_ = list;
      region->pins_.store(1, std::memory_order_relaxed);
      mapped_bytes_ += region->size();
      ++region_count_;
      ++stats_.maps;
      if (region->is_copy()) ++stats_.copies;
      stats_.peak_mapped_bytes = std::max(stats_.peak_mapped_bytes, mapped_bytes_);
      stats_.peak_regions = std::max<std::uint64_t>(stats_.peak_regions, region_count_);
      return region;
    } catch (const std::system_error&) {
      // Out of some resource: free every unused region and try once more
      // (SPEC 3.1, step 4).
      if (attempt > 0) throw;
      ++stats_.map_retries;
      stats_.unmaps_by_eviction += evict_all_locked();
    }
  }
}

void ManagerCore::pin_locked(MapRegion* region) noexcept {
  const int pins = region->pins_.load(std::memory_order_relaxed);
  if (pins == 0) lru_unlink(region);
  region->pins_.store(pins + 1, std::memory_order_relaxed);
}

void ManagerCore::unpin_locked(MapRegion* region) noexcept {
  const int pins = region->pins_.load(std::memory_order_relaxed) - 1;
  region->pins_.store(pins, std::memory_order_relaxed);
  if (pins == 0) lru_push_newest(region);
}

std::size_t ManagerCore::evict_for_locked(std::uint64_t incoming) noexcept {
  std::size_t count = 0;
  while (lru_oldest_ != nullptr &&
         (incoming > max_memory_size_ || mapped_bytes_ > max_memory_size_ - incoming)) {
    MapRegionList* owner = unmap_locked(lru_oldest_);
    drop_if_unused_locked(owner);
    ++count;
  }
  return count;
}

std::size_t ManagerCore::evict_all_locked() noexcept {
  std::size_t count = 0;
  while (lru_oldest_ != nullptr) {
    MapRegionList* owner = unmap_locked(lru_oldest_);
    drop_if_unused_locked(owner);
    ++count;
  }
  return count;
}

MapRegionList* ManagerCore::unmap_locked(MapRegion* region) noexcept {
  lru_unlink(region);
  MapRegionList* owner = region->owner_;
  mapped_bytes_ -= region->size();
  --region_count_;
  owner->regions_.erase(region->ofs_begin());  // unmaps
  return owner;
}

void ManagerCore::drop_if_unused_locked(MapRegionList* list) noexcept {
  if (list->cursors_ != 0) return;
  if (!list->current_) {
    // No cursor can reach a replaced list any more, so its regions are all
    // unpinned and useless: they go now.
    while (!list->regions_.empty()) {
      unmap_locked(&list->regions_.begin()->second);
      ++stats_.unmaps_by_eviction;
    }
  }
  if (!list->regions_.empty()) return;
  if (list->current_) {
    current_.erase(key_of(list->source_));
    return;
  }
  auto found = std::find_if(replaced_.begin(), replaced_.end(),
                            [list](const auto& entry) { return entry.get() == list; });
  if (found != replaced_.end()) replaced_.erase(found);
}

void ManagerCore::lru_push_newest(MapRegion* region) noexcept {
  region->lru_prev_ = lru_newest_;
  region->lru_next_ = nullptr;
  if (lru_newest_ != nullptr) {
    lru_newest_->lru_next_ = region;
  } else {
    lru_oldest_ = region;
  }
  lru_newest_ = region;
}

void ManagerCore::lru_unlink(MapRegion* region) noexcept {
  (region->lru_prev_ ? region->lru_prev_->lru_next_ : lru_oldest_) = region->lru_next_;
  (region->lru_next_ ? region->lru_next_->lru_prev_ : lru_newest_) = region->lru_prev_;
  region->lru_prev_ = region->lru_next_ = nullptr;
}

std::size_t ManagerCore::num_regions() const {
  std::lock_guard lock(mutex_);
  return region_count_;
}

std::size_t ManagerCore::num_open_files() const {
  std::lock_guard lock(mutex_);
  std::size_t count = 0;
  for (const auto& [key, list] : current_) count += list->regions_.empty() ? 0 : 1;
  for (const auto& list : replaced_) count += list->regions_.empty() ? 0 : 1;
  return count;
}

std::uint64_t ManagerCore::mapped_memory_size() const {
  std::lock_guard lock(mutex_);
  return mapped_bytes_;
}

std::size_t ManagerCore::collect() {
  std::lock_guard lock(mutex_);
  const std::size_t count = evict_all_locked();
  stats_.unmaps_by_collect += count;
  return count;
}

std::size_t ManagerCore::collect_lru_region(std::uint64_t size) {
  std::lock_guard lock(mutex_);
  const std::size_t count = size == 0 ? evict_all_locked() : evict_for_locked(size);
  stats_.unmaps_by_collect += count;
  return count;
}

bool ManagerCore::align_large_windows() const {
  std::lock_guard lock(mutex_);
  return align_large_windows_;
}

void ManagerCore::set_align_large_windows(bool align) {
  std::lock_guard lock(mutex_);
  align_large_windows_ = align;
}

ManagerStats ManagerCore::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

}  // namespace smmap::detail

#include "core/manager_core.hpp"

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <tuple>

#include "util/check.hpp"
#include "util/errors.hpp"

namespace smmap::detail {
namespace {

// The library's errors carry errno values in the generic category
// (throw_system_error). This runs when the process has no descriptor left,
// and compares the category by address rather than through a virtual call:
// UBSan's check of virtual calls needs a descriptor (it probes memory through
// a pipe) and would report a valid exception as a bad object.
#if defined(__GNUC__) || defined(__clang__)
__attribute__((no_sanitize("vptr")))
#endif
bool is_out_of_descriptors(const std::system_error& error) {
  const std::error_code code = error.code();
  return &code.category() == &std::generic_category() &&
         (code.value() == EMFILE || code.value() == ENFILE);
}

}  // namespace

ManagerCore::~ManagerCore() {
  // No cursor is left, so nothing is pinned: entries unmap their regions and
  // close their descriptors.
  MutexLock lock(mutex_);
  if constexpr (SMMAP_CHECKS_PRECONDITIONS) {
    for (const auto& [key, entry] : current_) SMMAP_DCHECK(entry->cursors_ == 0);
    for (const auto& entry : replaced_) SMMAP_DCHECK(entry->cursors_ == 0);
  }
  current_.clear();
  replaced_.clear();
}

ManagerCore::Key ManagerCore::key_of(const PathOrFd& source) {
  if (const int* fd = std::get_if<int>(&source)) return *fd;
  return describe(source);  // the path as a string (UTF-8 on Windows)
}

FileEntry* ManagerCore::add_cursor(const PathOrFd& source) {
  const Key key = key_of(source);
  const FileIdentity now = identify(source, describe(source));
  {
    MutexLock lock(mutex_);
    auto found = current_.find(key);
    if (found != current_.end() && found->second->identity() == now) {
      ++found->second->cursors_;
      return found->second.get();
    }
  }

  // A new entry. Opening can fail for want of descriptors: unused regions may
  // hold the last ones, so free them and try once more.
  std::unique_ptr<FileEntry> fresh;
  try {
    fresh = std::make_unique<FileEntry>(source, OpenFile(source), mutex_, node_pool_);
  } catch (const std::system_error& error) {
    if (!is_out_of_descriptors(error)) throw;
    {
      MutexLock lock(mutex_);
      stats_.unmaps_by_eviction += evict_all_locked();
      close_descriptors_locked();
      ++stats_.map_retries;
    }
    fresh = std::make_unique<FileEntry>(source, OpenFile(source), mutex_, node_pool_);
  }

  MutexLock lock(mutex_);
  std::unique_ptr<FileEntry>& slot = current_[key];
  if (!slot || slot->identity() != fresh->identity()) {
    if (slot) {
      // The file was replaced or resized: old cursors keep the old entry.
      ++stats_.replaced_files;
      slot->current_ = false;
      replaced_.push_back(std::move(slot));
      drop_if_unused_locked(*replaced_.back());
    }
    slot = std::move(fresh);
    if (slot->owns_descriptor()) {
      descriptors_.opened(slot.get());
      enforce_descriptor_budget_locked(slot.get());
    }
  }  // else another thread made an equal entry first; |fresh| closes after unlock.
  FileEntry* entry = slot.get();
  ++entry->cursors_;
  debug_check_locked();
  return entry;
}

ManagedRegion* ManagerCore::switch_region(FileEntry* entry, ManagedRegion* old,
                                          std::uint64_t offset, std::uint64_t size, bool sized,
                                          std::uint64_t hits) {
  SMMAP_DCHECK(offset < entry->file_size());
  SMMAP_DCHECK(old == nullptr || &old->owner() == entry);
  MutexLock lock(mutex_);
  const std::uint64_t previous_uses = old != nullptr && old->copy_window_ ? old->uses_ + hits : 0;
  release_locked(old, hits);
  ManagedRegion* region = obtain_region_locked(*entry, offset, size, sized, previous_uses);
  debug_check_locked();
  return region;
}

void ManagerCore::release(ManagedRegion* region, std::uint64_t hits) noexcept {
  MutexLock lock(mutex_);
  release_locked(region, hits);
  debug_check_locked();
}

void ManagerCore::release_locked(ManagedRegion* region, std::uint64_t hits) noexcept {
  stats_.cursor_hits += hits;
  if (region != nullptr) {
    region->uses_ += hits;
    unpin_locked(region);
  }
}

void ManagerCore::copy_cursor(FileEntry* entry, ManagedRegion* region) noexcept {
  MutexLock lock(mutex_);
  ++entry->cursors_;
  if (region != nullptr) pin_locked(region);
  debug_check_locked();
}

void ManagerCore::remove_cursor(FileEntry* entry, ManagedRegion* region,
                                std::uint64_t hits) noexcept {
  MutexLock lock(mutex_);
  release_locked(region, hits);
  --entry->cursors_;
  drop_if_unused_locked(*entry);
  debug_check_locked();
}

ManagedRegion* ManagerCore::obtain_region_locked(FileEntry& entry, std::uint64_t offset,
                                                 std::uint64_t size, bool sized,
                                                 std::uint64_t previous_uses) {
  mutex_.assert_held();
  // docs/design.md, "Obtaining a region", step 1: a live region holding it.
  auto next = entry.regions_.upper_bound(offset);
  if (next != entry.regions_.begin()) {
    ManagedRegion& before = std::prev(next)->second;
    // A request without a size is not served by an unused copy window: it
    // gets a full mapped window in its place.
    if (before.includes_ofs(offset) && (sized || !before.copy_window_ || before.pins() != 0)) {
      ++stats_.region_hits;
      ++before.uses_;
      pin_locked(&before);
      return &before;
    }
  }
  const std::size_t regions = entry.regions_.size();  // |next| is right while this holds
  const std::uint64_t copy_bytes =
      copy_window_bytes_locked(entry, offset, size, sized, previous_uses);
  if (copy_bytes != 0) {
    if (entry.regions_.size() != regions) next = entry.regions_.upper_bound(offset);
    return map_copy_window_locked(entry, offset, copy_bytes, next);
  }
  return map_region_locked(entry, offset, size);
}

ManagedRegion* ManagerCore::map_region_locked(FileEntry& entry, std::uint64_t offset,
                                              std::uint64_t size) {
  // Step 2: room for a full window before placing it.
  const std::uint64_t full_window = limits_.largest_window == 0
                                        ? entry.file_size()
                                        : std::min(limits_.largest_window, entry.file_size());
  clear_copy_windows_locked(entry, offset, offset + std::max(size, limits_.largest_window));
  stats_.unmaps_by_eviction += evict_for_memory_locked(full_window);
  for (bool retried = false;; retried = true) {
    const MapWindow window = place_window_locked(entry, offset, size);  // step 3
    make_room_locked(window.size);
    try {
      return insert_region_locked(entry, window, false, entry.regions_.end());
    } catch (const std::system_error&) {
      prepare_retry_locked(retried);
    }
  }
}

ManagedRegion* ManagerCore::map_copy_window_locked(FileEntry& entry, std::uint64_t offset,
                                                   std::uint64_t bytes,
                                                   FileEntry::RegionMap::iterator next) {
  // Room for the largest the window can be, before placing it: then the
  // lookup's position, |next|, stays right for placing and inserting unless
  // an eviction took a region of this file.
  const std::size_t regions = entry.regions_.size();
  make_room_locked(bytes);
  for (bool retried = false;; retried = true) {
    if (entry.regions_.size() != regions) next = entry.regions_.upper_bound(offset);
    const MapWindow window = place_copy_window_locked(entry, offset, bytes, next);
    try {
      ManagedRegion* region = insert_region_locked(entry, window, true, next);
      entry.pattern_.on_copy_window(window.ofs, window.size);
      return region;
    } catch (const std::system_error&) {
      prepare_retry_locked(retried);
    }
  }
}

void ManagerCore::prepare_retry_locked(bool retried) {
  // Step 4: out of some resource; free every unused region and try once more.
  if (retried) throw;
  ++stats_.map_retries;
  stats_.unmaps_by_eviction += evict_all_locked();
}

Gap ManagerCore::gap_locked(const FileEntry& entry, std::uint64_t offset) const {
  return gap_before(entry, entry.regions_.upper_bound(offset));
}

Gap ManagerCore::gap_before(const FileEntry& entry, FileEntry::RegionMap::const_iterator next) {
  return Gap{
      .begin = next == entry.regions_.begin() ? 0 : std::prev(next)->second.ofs_end(),
      .end = next == entry.regions_.end() ? entry.file_size() : next->first,
  };
}

MapWindow ManagerCore::place_window_locked(const FileEntry& entry, std::uint64_t offset,
                                           std::uint64_t size) const {
  if (limits_.largest_window == 0) return MapWindow(0, entry.file_size());  // the only region
  const std::uint64_t max_window = limits_.largest_window;
  const Gap gap = gap_locked(entry, offset);
  const std::uint64_t wanted = std::min(size, max_window);
  MapWindow window = place_like_smmap(offset, wanted, gap, max_window);
  if (align_large_windows_ && max_window >= kLargePageSize) {
    align_to_large_page(window, gap, offset, std::min(offset + wanted, gap.end), max_window);
  }
  return window;
}

void ManagerCore::make_room_locked(std::uint64_t incoming) {
  // Alignment can make the window a little larger than the room made before
  // placing it, and the handle limit is hard.
  std::size_t evicted = evict_for_memory_locked(incoming);
  for (; region_count_ >= limits_.max_open_handles && !unpinned_.empty(); ++evicted) {
    evict_oldest_locked();
  }
  stats_.unmaps_by_eviction += evicted;
}

void ManagerCore::ensure_descriptor_locked(FileEntry& entry) {
  if (!entry.owns_descriptor()) return;
  if (entry.file_.is_open()) {
    descriptors_.used(&entry);
    return;
  }
  try {
    entry.reopen();
  } catch (const std::system_error& error) {
    // As at open: the manager's own descriptors may be the ones missing.
    // (Regions stay: a caller may hold a position in this entry's map.)
    if (!is_out_of_descriptors(error)) throw;
    close_descriptors_locked();
    ++stats_.map_retries;
    entry.reopen();
  }
  ++stats_.descriptor_reopens;
  descriptors_.opened(&entry);
  enforce_descriptor_budget_locked(&entry);
}

void ManagerCore::close_descriptors_locked() noexcept {
  while (FileEntry* oldest = descriptors_.least_recently_used()) {
    close_descriptor_locked(*oldest);
  }
}

void ManagerCore::enforce_descriptor_budget_locked(const FileEntry* keep) noexcept {
  while (FileEntry* over = descriptors_.over_budget(keep)) {
    close_descriptor_locked(*over);
  }
}

void ManagerCore::close_descriptor_locked(FileEntry& entry) noexcept {
  descriptors_.closed(&entry);
  entry.file_.close();
  ++stats_.descriptor_closes;
}

ManagedRegion* ManagerCore::insert_region_locked(FileEntry& entry, const MapWindow& window,
                                                 bool copy, FileEntry::RegionMap::iterator hint) {
  if (entry.released_) {
    throw_system_error(EBADF,
                       "map (file released by force_map_handle_removal_win; make a new cursor)",
                       entry.description(), window.ofs, window.size);
  }
  if (region_count_ >= limits_.max_open_handles) {
    throw_system_error(EMFILE,
                       "map (limit of " + std::to_string(limits_.max_open_handles) +
                           " regions reached, all in use)",
                       entry.description(), window.ofs, window.size);
  }
  if (window.size > std::numeric_limits<std::size_t>::max()) {
    throw_system_error(ENOMEM, "mmap (larger than the address space)", entry.description(),
                       window.ofs, window.size);
  }
  ensure_descriptor_locked(entry);
  const auto size = static_cast<std::size_t>(window.size);
  const auto where =
      copy ? entry.regions_.emplace_hint(
                 hint, std::piecewise_construct, std::forward_as_tuple(window.ofs),
                 std::forward_as_tuple(entry, window.ofs, size, ManagedRegion::CopyWindow{}))
           : entry.regions_.emplace_hint(hint, std::piecewise_construct,
                                         std::forward_as_tuple(window.ofs),
                                         std::forward_as_tuple(entry, window.ofs, size));
  ManagedRegion* region = &where->second;
  mapped_bytes_ += region->size();
  ++region_count_;
  ++stats_.maps;
  if (region->is_copy()) ++stats_.copies;
  if (copy) ++stats_.copy_windows;
  stats_.peak_mapped_bytes = std::max(stats_.peak_mapped_bytes, mapped_bytes_);
  stats_.peak_regions = std::max<std::uint64_t>(stats_.peak_regions, region_count_);
  return region;
}

void ManagerCore::pin_locked(ManagedRegion* region) noexcept {
  const int pins = region->pins();
  if (pins == 0) unpinned_.unlink(region);
  region->set_pins(pins + 1);
}

void ManagerCore::unpin_locked(ManagedRegion* region) noexcept {
  const int pins = region->pins() - 1;
  region->set_pins(pins);
  if (pins == 0) unpinned_.push_newest(region);
}

std::size_t ManagerCore::evict_for_memory_locked(std::uint64_t incoming) noexcept {
  const std::uint64_t limit = limits_.max_memory_size;
  std::size_t count = 0;
  for (; !unpinned_.empty() && (incoming > limit || mapped_bytes_ > limit - incoming); ++count) {
    evict_oldest_locked();
  }
  return count;
}

std::size_t ManagerCore::evict_all_locked() noexcept {
  std::size_t count = 0;
  for (; !unpinned_.empty(); ++count) evict_oldest_locked();
  return count;
}

void ManagerCore::evict_oldest_locked() noexcept {
  mutex_.assert_held();
  SMMAP_DCHECK(!unpinned_.empty());
  ManagedRegion* oldest = unpinned_.oldest();
  FileEntry& owner = oldest->owner();
  note_eviction_locked(*oldest);
  unmap_locked(oldest);
  drop_if_unused_locked(owner);
}

void ManagerCore::unmap_locked(ManagedRegion* region) noexcept {
  unpinned_.unlink(region);
  mapped_bytes_ -= region->size();
  --region_count_;
  region->owner().regions_.erase(region->ofs_begin());  // unmaps
}

void ManagerCore::unmap_counted_locked(ManagedRegion* region, std::uint64_t& counter) noexcept {
  unmap_locked(region);
  ++counter;
}

void ManagerCore::drop_if_unused_locked(FileEntry& entry) noexcept {
  mutex_.assert_held();
  if (entry.cursors_ != 0) return;
  if (!entry.current_) {
    // No cursor can reach a replaced entry any more, so its regions are all
    // unpinned and useless: they go now.
    while (!entry.regions_.empty()) {
      unmap_counted_locked(&entry.regions_.begin()->second, stats_.unmaps_by_eviction);
    }
  }
  if (!entry.regions_.empty()) return;
  if (entry.file_.is_open() && entry.owns_descriptor()) descriptors_.closed(&entry);
  if (entry.current_) {
    current_.erase(key_of(entry.path_or_fd()));
    return;
  }
  auto found = std::find_if(replaced_.begin(), replaced_.end(),
                            [&entry](const auto& replaced) { return replaced.get() == &entry; });
  if (found != replaced_.end()) replaced_.erase(found);
}

std::size_t ManagerCore::num_regions() const {
  MutexLock lock(mutex_);
  return region_count_;
}

std::size_t ManagerCore::num_open_descriptors() const {
  MutexLock lock(mutex_);
  return descriptors_.open();
}

std::size_t ManagerCore::max_open_descriptors() const {
  MutexLock lock(mutex_);
  return descriptors_.limit();
}

void ManagerCore::set_max_open_descriptors(std::size_t count) {
  MutexLock lock(mutex_);
  descriptors_.set_limit(count);
  enforce_descriptor_budget_locked(nullptr);
  debug_check_locked();
}

std::size_t ManagerCore::num_files_with_regions() const {
  MutexLock lock(mutex_);
  std::size_t count = 0;
  for (const auto& [key, entry] : current_) count += entry->regions_.empty() ? 0 : 1;
  for (const auto& entry : replaced_) count += entry->regions_.empty() ? 0 : 1;
  return count;
}

std::uint64_t ManagerCore::mapped_memory_size() const {
  MutexLock lock(mutex_);
  return mapped_bytes_;
}

std::size_t ManagerCore::collect() {
  MutexLock lock(mutex_);
  const std::size_t count = evict_all_locked();
  stats_.unmaps_by_collect += count;
  debug_check_locked();
  return count;
}

std::size_t ManagerCore::collect_lru_region(std::uint64_t size) {
  MutexLock lock(mutex_);
  const std::size_t count = size == 0 ? evict_all_locked() : evict_for_memory_locked(size);
  stats_.unmaps_by_collect += count;
  debug_check_locked();
  return count;
}

namespace {

// True iff |path| is |base| or lies below it, compared component by
// component after making both absolute (an empty |base| holds every path).
bool is_under(const std::filesystem::path& path, const std::filesystem::path& base) {
  if (base.empty()) return true;
  std::error_code ignored;
  const std::filesystem::path full = std::filesystem::absolute(path, ignored).lexically_normal();
  std::filesystem::path prefix = std::filesystem::absolute(base, ignored).lexically_normal();
  if (!prefix.has_filename()) prefix = prefix.parent_path();  // a trailing separator
  auto at = full.begin();
  for (const std::filesystem::path& part : prefix) {
    if (at == full.end() || *at != part) return false;
    ++at;
  }
  return true;
}

}  // namespace

std::size_t ManagerCore::release_files_under(const std::filesystem::path& base_path) {
  MutexLock lock(mutex_);
  std::vector<FileEntry*> chosen;
  auto choose = [&](FileEntry& entry) {
    const auto* path = std::get_if<std::filesystem::path>(&entry.path_or_fd());
    if (!entry.released_ && path != nullptr && is_under(*path, base_path)) chosen.push_back(&entry);
  };
  for (auto& [key, entry] : current_) choose(*entry);
  for (auto& entry : replaced_) choose(*entry);
  std::size_t count = 0;
  for (FileEntry* entry : chosen) count += release_locked(*entry);
  debug_check_locked();
  return count;
}

std::size_t ManagerCore::release_locked(FileEntry& entry) noexcept {
  std::size_t count = 0;
  for (auto at = entry.regions_.begin(); at != entry.regions_.end(); ++count) {
    ManagedRegion& region = (at++)->second;
    if (region.pins() == 0) {
      unmap_counted_locked(&region, stats_.unmaps_by_collect);
    } else {
      // Its cursors keep reading the same bytes, from memory of their own.
      detach_from_file(Mapping{region.buffer(), region.is_copy()});
    }
  }
  // A released entry holds no file, so it leaves the descriptor list; it is
  // never reopened (insert_region_locked() refuses it).
  if (entry.file_.is_open() && entry.owns_descriptor()) descriptors_.closed(&entry);
  entry.file_.close();
  entry.released_ = true;
  if (entry.current_) {
    // New cursors get a fresh entry; this one lives while its cursors do.
    auto found = current_.find(key_of(entry.path_or_fd()));
    entry.current_ = false;
    replaced_.push_back(std::move(found->second));
    current_.erase(found);
  }
  drop_if_unused_locked(entry);
  return count;
}

bool ManagerCore::align_large_windows() const {
  MutexLock lock(mutex_);
  return align_large_windows_;
}

void ManagerCore::set_align_large_windows(bool align) {
  MutexLock lock(mutex_);
  align_large_windows_ = align;
}

bool ManagerCore::adaptive() const {
  MutexLock lock(mutex_);
  return adaptive_;
}

void ManagerCore::set_adaptive(bool adaptive) {
  MutexLock lock(mutex_);
  adaptive_ = adaptive;
}

ManagerStats ManagerCore::stats() const {
  MutexLock lock(mutex_);
  return stats_;
}

void ManagerCore::check_invariants() const {
  MutexLock lock(mutex_);
  check_invariants_locked();
}

void ManagerCore::debug_check_locked() const {
#ifdef SMMAP_CHECK_INVARIANTS
  check_invariants_locked();
#endif
}

}  // namespace smmap::detail

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
  std::unique_ptr<PrefetchThread> prefetcher;
  bool forked = false;
  {
    MutexLock lock(mutex_);
    stopping_ = true;
    prefetch_jobs_.clear();
    prefetcher = std::move(prefetcher_);
    forked = prefetcher_process_ != current_process_id();
  }
  if (prefetcher && forked) {
    // A fork()ed child: the thread is its parent's. Joining it would never
    // end, nor would destroying condition variables it waited on; destroying
    // a joinable std::thread ends the process. Left behind: a few bytes.
    static_cast<void>(prefetcher.release());
  } else if (prefetcher) {
    prefetcher->wakeup.notify_all();
    prefetcher->thread.join();
  }
  // No cursor is left, so nothing is pinned: entries unmap their regions and
  // close their descriptors.
  MutexLock lock(mutex_);
  if constexpr (SMMAP_CHECKS_PRECONDITIONS) {
    for (const auto& [key, entry] : current_) SMMAP_DCHECK(entry->cursors() == 0);
    for (const auto& entry : replaced_) SMMAP_DCHECK(entry->cursors() == 0);
  }
  const CopyBlocksBatch batch;
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
      found->second->add_cursor();
      return found->second.get();
    }
  }

  // A new entry. Opening can fail for want of descriptors: unused regions may
  // hold the last ones, so free them and try once more.
  std::unique_ptr<FileEntry> fresh;
  try {
    fresh = std::make_unique<FileEntry>(source, OpenFile(source), mutex_, node_pool_,
                                        copy_window_pool_);
  } catch (const std::system_error& error) {
    if (!is_out_of_descriptors(error)) throw;
    {
      MutexLock lock(mutex_);
      stats_.unmaps_by_eviction += evict_all_locked();
      close_descriptors_locked();
      ++stats_.map_retries;
    }
    fresh = std::make_unique<FileEntry>(source, OpenFile(source), mutex_, node_pool_,
                                        copy_window_pool_);
  }

  MutexLock lock(mutex_);
  std::unique_ptr<FileEntry>& slot = current_[key];
  if (!slot || slot->identity() != fresh->identity()) {
    if (slot) {
      // The file was replaced or resized: old cursors keep the old entry.
      ++stats_.replaced_files;
      slot->retire();
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
  entry->add_cursor();
  debug_check_locked();
  return entry;
}

MapRegion* ManagerCore::switch_region(FileEntry* entry, ManagedRegion* old, std::uint64_t offset,
                                      std::uint64_t size, bool sized, std::uint64_t hits,
                                      std::unique_ptr<ReadThroughRegion>& read_through) {
  SMMAP_DCHECK(offset < entry->file_size());
  SMMAP_DCHECK(old == nullptr || &old->owner() == entry);
  MutexLock lock(mutex_);
  const std::uint64_t left_uses = old != nullptr ? old->uses() + hits : 0;
  const bool left_copy_window = old != nullptr && old->is_copy_window();
  const bool left_prefetched = old != nullptr && old->was_prefetched();
  release_locked(old, hits);
  entry->pattern().on_served(hits);
  if (left_copy_window && passed_locked(*old, offset)) {
    evict_locked(old);
    ++stats_.unmaps_by_eviction;
  }
  MapRegion* region =
      obtain_region_locked(*entry, offset, size, sized, left_copy_window ? left_uses : 0,
                           left_copy_window ? 0 : left_uses, left_prefetched, read_through);
  debug_check_locked();
  return region;
}

bool ManagerCore::passed_locked(const ManagedRegion& left, std::uint64_t offset) const noexcept {
  // docs/design.md, "The copy budget": a scan that left a copy window for
  // the bytes just past it does not come back. Nor did anything else find
  // the window meanwhile. One read that crosses a page or two (an object of
  // a pack) is not a scan: it may be read again.
  constexpr std::uint64_t kRunOn = 16 * 1024;
  return left.owner().pattern().scanning() && left.pins() == 0 && !left.revisited() &&
         offset >= left.ofs_end() &&
         offset - left.ofs_end() < std::max<std::uint64_t>(left.size(), kRunOn);
}

void ManagerCore::release(ManagedRegion* region, std::uint64_t hits) noexcept {
  MutexLock lock(mutex_);
  release_locked(region, hits);
  debug_check_locked();
}

void ManagerCore::release_locked(ManagedRegion* region, std::uint64_t hits) noexcept {
  stats_.cursor_hits += hits;
  if (region != nullptr) {
    region->add_uses(hits);
    lru_.unpin(region);
  }
}

void ManagerCore::copy_cursor(FileEntry* entry, ManagedRegion* region) noexcept {
  MutexLock lock(mutex_);
  entry->add_cursor();
  if (region != nullptr) lru_.pin(region);
  debug_check_locked();
}

void ManagerCore::remove_cursor(FileEntry* entry, ManagedRegion* region,
                                std::uint64_t hits) noexcept {
  MutexLock lock(mutex_);
  release_locked(region, hits);
  entry->remove_cursor();
  drop_if_unused_locked(*entry);
  debug_check_locked();
}

MapRegion* ManagerCore::obtain_region_locked(FileEntry& entry, std::uint64_t offset,
                                             std::uint64_t size, bool sized,
                                             std::uint64_t previous_uses,
                                             std::uint64_t left_mapped_uses, bool left_prefetched,
                                             std::unique_ptr<ReadThroughRegion>& read_through) {
  mutex_.assert_held();
  // docs/design.md, "Obtaining a region", step 1: a live region holding it.
  // Copy windows by page first: while the file has no mapped window, a page
  // the table lacks is a miss without a descent of the tree.
  ManagedRegion* live = entry.find_region(offset);
  // A request without a size is not served by an unused copy window: it
  // gets a full mapped window in its place.
  if (live != nullptr && (sized || !live->is_copy_window() || live->pins() != 0)) {
    ++stats_.region_hits;
    entry.pattern().on_served(1);
    live->add_uses(1);
    live->set_revisited();
    if (live->is_prefetched()) {
      // The scan reached the window mapped ahead of it: map the next, unless
      // the file has moved to copy windows meanwhile.
      live->set_reached();
      if (adaptive_.enabled() && !entry.pattern().copying()) {
        request_prefetch_locked(entry, live->ofs_end());
      }
    }
    lru_.pin(live);
    return live;
  }
  const AdaptiveWindows::Choice choice =
      adaptive_.on_miss(to_place(entry), offset, size, sized, previous_uses);
  if (choice.drop_mapped_windows) drop_mapped_windows_locked(entry);
  if (choice.read_through) return read_through_locked(entry, offset, size, read_through);
  if (choice.copy_bytes != 0) {
    // The copy budget: unused copy windows make room, coldest first; when
    // copy windows in use fill it, a mapped window serves the request. A copy
    // window counts the block it is read into.
    const std::uint64_t block = copy_block_size(static_cast<std::size_t>(choice.copy_bytes));
    for (; ManagedRegion* over = lru_.over_copy_budget(block); ++stats_.unmaps_by_eviction) {
      evict_locked(over);
    }
    if (lru_.copy_fits(block)) {
      return map_copy_window_locked(entry, offset, choice.copy_bytes);
    }
    ++stats_.copy_budget_full;
  }
  ManagedRegion* region = map_region_locked(entry, offset, size);
  // A scan reads a window through before it moves on: a cursor that left one
  // having read it a few times only is not scanning (nor are tests that step
  // from window to window to see them mapped). One that outran the
  // prefetcher, leaving a prefetched window for the next it was about to
  // map, still is.
  const bool scan = choice.prefetch_next || (left_prefetched && !entry.pattern().copying());
  if (scan && adaptive_.enabled() && left_mapped_uses > AccessPattern::kFewUses) {
    request_prefetch_locked(entry, region->ofs_end());
  }
  return region;
}

void ManagerCore::request_prefetch_locked(FileEntry& entry, std::uint64_t offset) {
  if (offset >= entry.file_size() || stopping_ || prefetch_unavailable_) return;
  if (prefetcher_ && prefetcher_process_ != current_process_id()) {
    // A fork()ed child, which has no prefetcher: scans go unprefetched.
    prefetch_unavailable_ = true;
    prefetch_jobs_.clear();
    return;
  }
  // One job per file, the newest: a reader that moved on made the older
  // stale. And at most eight files.
  constexpr std::size_t kMostJobs = 8;
  std::erase_if(prefetch_jobs_, [&entry](const PrefetchJob& job) { return job.entry == &entry; });
  if (prefetch_jobs_.size() == kMostJobs) prefetch_jobs_.pop_front();
  prefetch_jobs_.push_back(PrefetchJob{&entry, offset});
  if (!prefetcher_) {
    try {
      auto started = std::make_unique<PrefetchThread>();
      started->thread = std::thread([this] { prefetch_loop(); });
      prefetcher_ = std::move(started);
      prefetcher_process_ = current_process_id();
    } catch (const std::exception&) {  // no thread, or no memory
      prefetch_unavailable_ = true;    // scans go unprefetched
      prefetch_jobs_.clear();
      return;
    }
  }
  prefetcher_->wakeup.notify_one();
}

Mapping ManagerCore::start_prefetch_locked(FileEntry& entry, std::uint64_t offset) {
  // With no cursor left nobody reads on, and making room could drop the
  // entry (its cursors keep it while this runs under the mutex).
  if (entry.cursors() == 0 || offset >= entry.file_size() || entry.is_released() ||
      entry.find_region(offset) != nullptr) {
    return {};
  }
  const std::uint64_t size = std::min(limits_.largest_window, entry.file_size() - offset);
  try {
    // As for a mapped miss, without the retry.
    clear_copy_windows_locked(entry, offset, offset + size);
    stats_.unmaps_by_eviction += evict_for_memory_locked(size);
    const MapWindow window = place_window_locked(entry, offset, size);
    make_room_locked(window.size);
    // The memory limit is soft for requests, which regions in use may leave
    // no room for; a prefetch only takes room that is there.
    if (window.size > lru_.max_bytes() || lru_.bytes() > lru_.max_bytes() - window.size ||
        lru_.at_handle_limit()) {
      return {};
    }
    ManagedRegion* region = insert_region_locked(entry, window, false);
    region->set_prefetched();
    ++stats_.prefetches;
    // Unused at once: it holds no handle a request may need, and may go
    // before its pages are prepared (populate() then fails, harmlessly).
    release_locked(region, 0);
    return Mapping{region->buffer(), false};
  } catch (const std::system_error&) {
    return {};
  }
}

void ManagerCore::prefetch_loop() {
  // The mutex is let go only to wait and to fill page tables: once a
  // prefetch is done, this thread goes back to waiting without letting go,
  // so wait_for_prefetches() returns only when it waits (and a fork() then
  // finds the mutex free; docs/design.md, "Prefetch").
  MutexLock lock(mutex_);
  for (;;) {
    // Set before this thread started; taken by the destructor, which sets
    // stopping_ first.
    if (stopping_) return;
    PrefetchThread& self = *prefetcher_;
    while (!stopping_ && prefetch_jobs_.empty()) self.wakeup.wait(mutex_);
    if (stopping_) return;
    const PrefetchJob job = prefetch_jobs_.front();
    prefetch_jobs_.pop_front();
    const Mapping mapped = start_prefetch_locked(*job.entry, job.offset);
    debug_check_locked();
    if (!mapped.bytes.empty()) {
      prefetch_running_ = true;
      // Outside the mutex, on addresses only: should the window be unmapped
      // meanwhile, and the range even mapped again by something else, the
      // worst populate() does is fail or fault in pages that are there to
      // read.
      lock.unlock();
      populate(mapped);
      lock.lock();
      prefetch_running_ = false;
    }
    if (prefetch_jobs_.empty()) self.idle.notify_all();
  }
}

void ManagerCore::wait_for_prefetches() {
  MutexLock lock(mutex_);
  while (prefetcher_ && (!prefetch_jobs_.empty() || prefetch_running_)) {
    prefetcher_->idle.wait(mutex_);
  }
}

MapRegion* ManagerCore::read_through_locked(FileEntry& entry, std::uint64_t offset,
                                            std::uint64_t size,
                                            std::unique_ptr<ReadThroughRegion>& region) {
  if (entry.is_released()) {
    throw_system_error(EBADF,
                       "read (file released by force_map_handle_removal_win; make a new cursor)",
                       entry.description(), offset, size);
  }
  const auto bytes = static_cast<std::size_t>(std::min(size, entry.file_size() - offset));
  if (!region) region = std::make_unique<ReadThroughRegion>();
  for (bool retried = false;; retried = true) {
    try {
      ensure_descriptor_locked(entry);
      read_exactly(entry.file(), entry.description(), offset, {region->prepare(bytes), bytes});
      break;
    } catch (const std::system_error&) {
      prepare_retry_locked(retried);  // as for a window: step 4
    }
  }
  region->hold(offset, bytes);
  ++stats_.read_throughs;
  return region.get();
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
      return insert_region_locked(entry, window, false);
    } catch (const std::system_error&) {
      prepare_retry_locked(retried);
    }
  }
}

ManagedRegion* ManagerCore::map_copy_window_locked(FileEntry& entry, std::uint64_t offset,
                                                   std::uint64_t bytes) {
  // Room for the largest the window can be, before placing it: then the
  // gap found for placing is still free for inserting.
  make_room_locked(bytes);
  for (bool retried = false;; retried = true) {
    // The gap between mapped windows, cut short by the first page a copy
    // window holds (none holds the page of |offset|: this is a miss).
    Gap gap{0, entry.file_size()};
    if (!entry.regions().empty()) gap = entry.regions().gap_at(offset);
    const std::uint64_t page = align_to_mmap(offset, false);
    gap.end = entry.copies().first_held(page + ALLOCATIONGRANULARITY,
                                        std::min(gap.end, align_to_mmap(page + bytes, true)));
    const MapWindow window = place_copy_window(offset, bytes, gap);
    try {
      ManagedRegion* region = insert_region_locked(entry, window, true);
      entry.pattern().on_copy_window(window.ofs, window.size);
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

MapWindow ManagerCore::place_window_locked(FileEntry& entry, std::uint64_t offset,
                                           std::uint64_t size) const {
  if (limits_.largest_window == 0) return MapWindow(0, entry.file_size());  // the only region
  // Copy windows in the way are pinned ones, and those out of
  // clear_copy_windows_locked()'s reach.
  const Gap gap = entry.copies().free_around(offset, entry.regions().gap_at(offset),
                                             limits_.largest_window + ALLOCATIONGRANULARITY);
  return place_window(offset, size, gap, limits_.largest_window, align_large_windows_);
}

void ManagerCore::make_room_locked(std::uint64_t incoming) {
  // Alignment can make the window a little larger than the room made before
  // placing it, and the handle limit is hard.
  std::size_t evicted = evict_for_memory_locked(incoming);
  for (; ManagedRegion* over = lru_.over_handles(); ++evicted) evict_locked(over);
  stats_.unmaps_by_eviction += evicted;
}

void ManagerCore::ensure_descriptor_locked(FileEntry& entry) {
  if (!entry.owns_descriptor()) return;
  if (entry.file_is_open()) {
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
  entry.close_file();
  ++stats_.descriptor_closes;
}

ManagedRegion* ManagerCore::insert_region_locked(FileEntry& entry, const MapWindow& window,
                                                 bool copy) {
  if (entry.is_released()) {
    throw_system_error(EBADF,
                       "map (file released by force_map_handle_removal_win; make a new cursor)",
                       entry.description(), window.ofs, window.size);
  }
  if (lru_.at_handle_limit()) {
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
  ManagedRegion& region =
      copy ? entry.copies().emplace(entry, window.ofs, size, ManagedRegion::CopyWindow{})
           : entry.regions().emplace(window.ofs, entry, window.ofs, size);
  lru_.added(&region);
  ++stats_.maps;
  if (region.is_copy()) ++stats_.copies;
  if (copy) ++stats_.copy_windows;
  return &region;
}

std::size_t ManagerCore::evict_for_memory_locked(std::uint64_t incoming) noexcept {
  std::size_t count = 0;
  for (; ManagedRegion* over = lru_.over_memory(incoming); ++count) evict_locked(over);
  return count;
}

std::size_t ManagerCore::evict_all_locked() noexcept {
  const CopyBlocksBatch batch;
  std::size_t count = 0;
  // Not evict_locked(): unmapping everything at once (collect(), a retry, the
  // manager's end) says nothing of how the windows were read, so the
  // detector is not told, nor are the machine's costs measured for it.
  for (; ManagedRegion* coldest = lru_.coldest(); ++count) {
    FileEntry& owner = coldest->owner();
    unmap_locked(coldest);
    drop_if_unused_locked(owner);
  }
  return count;
}

void ManagerCore::evict_locked(ManagedRegion* region) noexcept {
  mutex_.assert_held();
  SMMAP_DCHECK(region->pins() == 0);
  FileEntry& owner = region->owner();
  // A window prefetched and never reached was a guess, not a read: it
  // tells the detector nothing.
  if (!region->is_copy() && !region->is_prefetched()) {
    adaptive_.on_mapped_eviction(to_place(owner), region->ofs_begin(), region->uses());
  }
  unmap_locked(region);
  drop_if_unused_locked(owner);
}

void ManagerCore::unmap_locked(ManagedRegion* region) noexcept {
  lru_.removed(region);
  // Unmaps, or frees the copy.
  if (region->is_copy_window()) {
    region->owner().copies().erase(*region);
  } else {
    region->owner().regions().erase(*region);
  }
}

void ManagerCore::unmap_counted_locked(ManagedRegion* region, std::uint64_t& counter) noexcept {
  unmap_locked(region);
  ++counter;
}

void ManagerCore::clear_copy_windows_locked(FileEntry& entry, std::uint64_t begin,
                                            std::uint64_t end) {
  FileEntry::Copies& copies = entry.copies();
  if (copies.empty()) return;
  const std::uint64_t first = align_to_mmap(begin, false);
  end = std::min(end, entry.file_size());
  auto clear = [this](ManagedRegion& region) {
    mutex_.assert_held();
    if (region.pins() == 0) unmap_counted_locked(&region, stats_.unmaps_by_eviction);
  };
  // Fewer windows than pages in the range: each window looked at once.
  if ((end - first) / ALLOCATIONGRANULARITY > copies.size()) {
    copies.for_each([&](ManagedRegion& region) {
      if (region.ofs_begin() < end && region.ofs_end() > first) clear(region);
    });
    return;
  }
  // Else the window holding |begin|, then each found from the page after the last.
  for (std::uint64_t at = first; (at = copies.first_held(at, end)) < end;) {
    ManagedRegion* region = copies.find(at);
    at = region->ofs_end();
    clear(*region);
  }
}

void ManagerCore::drop_mapped_windows_locked(FileEntry& entry) {
  entry.regions().for_each([this](ManagedRegion& region) {
    mutex_.assert_held();
    if (!region.is_copy() && region.pins() == 0) {
      unmap_counted_locked(&region, stats_.unmaps_by_eviction);
    }
  });
}

void ManagerCore::drop_if_unused_locked(FileEntry& entry) noexcept {
  mutex_.assert_held();
  if (entry.cursors() != 0) return;
  if (!entry.is_current()) {
    // No cursor can reach a replaced entry any more, so its regions are all
    // unpinned and useless: they go now.
    while (ManagedRegion* region = entry.regions().first()) {
      unmap_counted_locked(region, stats_.unmaps_by_eviction);
    }
    while (ManagedRegion* region = entry.copies().first()) {
      unmap_counted_locked(region, stats_.unmaps_by_eviction);
    }
  }
  if (entry.has_regions()) return;
  std::erase_if(prefetch_jobs_, [&entry](const PrefetchJob& job) { return job.entry == &entry; });
  if (entry.file_is_open() && entry.owns_descriptor()) descriptors_.closed(&entry);
  if (entry.is_current()) {
    current_.erase(key_of(entry.path_or_fd()));
    return;
  }
  auto found = std::find_if(replaced_.begin(), replaced_.end(),
                            [&entry](const auto& replaced) { return replaced.get() == &entry; });
  if (found != replaced_.end()) replaced_.erase(found);
}

std::size_t ManagerCore::num_regions() const {
  MutexLock lock(mutex_);
  return lru_.count();
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
  for (const auto& [key, entry] : current_) count += entry->has_regions() ? 1 : 0;
  for (const auto& entry : replaced_) count += entry->has_regions() ? 1 : 0;
  return count;
}

std::uint64_t ManagerCore::mapped_memory_size() const {
  MutexLock lock(mutex_);
  return lru_.bytes();
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
    if (!entry.is_released() && path != nullptr && is_under(*path, base_path))
      chosen.push_back(&entry);
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
  entry.for_each_region([&](ManagedRegion& region) {
    mutex_.assert_held();
    ++count;
    if (region.pins() == 0) {
      unmap_counted_locked(&region, stats_.unmaps_by_collect);
    } else {
      // Its cursors keep reading the same bytes, from memory of their own.
      detach_from_file(Mapping{region.buffer(), region.is_copy()});
    }
  });
  // A released entry holds no file, so it leaves the descriptor list; it is
  // never reopened (insert_region_locked() refuses it).
  if (entry.file_is_open() && entry.owns_descriptor()) descriptors_.closed(&entry);
  entry.release_file();
  if (entry.is_current()) {
    // New cursors get a fresh entry; this one lives while its cursors do.
    auto found = current_.find(key_of(entry.path_or_fd()));
    entry.retire();
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
  return adaptive_.enabled();
}

std::uint64_t ManagerCore::max_copy_memory() const {
  MutexLock lock(mutex_);
  return lru_.max_copy_bytes();
}

void ManagerCore::set_max_copy_memory(std::uint64_t bytes) {
  MutexLock lock(mutex_);
  lru_.set_max_copy_bytes(bytes);
  const CopyBlocksBatch batch;
  for (; ManagedRegion* over = lru_.over_copy_budget(0); ++stats_.unmaps_by_collect) {
    evict_locked(over);
  }
  debug_check_locked();
}

void ManagerCore::set_read_through(bool read_through) {
  MutexLock lock(mutex_);
  adaptive_.set_read_through(read_through);
}

void ManagerCore::set_adaptive(bool adaptive) {
  MutexLock lock(mutex_);
  adaptive_.set_enabled(adaptive);
}

ManagerStats ManagerCore::stats() const {
  MutexLock lock(mutex_);
  ManagerStats stats = stats_;
  stats.peak_mapped_bytes = lru_.peak_bytes();
  stats.peak_regions = lru_.peak_count();
  stats.copy_window_bytes = lru_.copy_bytes();
  stats.peak_copy_window_bytes = lru_.peak_copy_bytes();
  adaptive_.fill_stats(stats);
  return stats;
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

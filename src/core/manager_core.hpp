// ManagerCore: the state shared by a manager object and all its cursors, and
// the rules that tie its components together — the contract in
// docs/design.md (lookup, placement, eviction order, limits, file identity).
//
// It owns every file entry (FileEntry) and, through each entry's RegionIndex
// and CopyWindows, every region. Its components decide; it maps, unmaps and counts:
// - RegionLru counts the live regions and names the unused one to evict
//   next for the memory and handle limits;
// - DescriptorBudget names the path entry whose descriptor closes next;
// - placement (policy/placement.hpp) says where a new window goes;
// - AdaptiveWindows chooses between a mapped and a copy window at a miss.
// A scan's next window is mapped ahead of it on a thread of the manager's own,
// the prefetcher, started at the first scan (docs/design.md, "Prefetch").
//
// Thread safety: every public method takes mutex_ (none may be called with it
// held); the *_locked helpers REQUIRE it. Clang checks this at build time
// (`make test-thread-safety`).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <unordered_map>
#include <variant>
#include <vector>

#include "core/descriptor_budget.hpp"
#include "core/file_entry.hpp"
#include "core/managed_region.hpp"
#include "core/read_through_region.hpp"
#include "core/region_lru.hpp"
#include "policy/adaptive_windows.hpp"
#include "policy/placement.hpp"
#include "port/mapping.hpp"
#include "port/process.hpp"
#include "smmap/manager.hpp"
#include "smmap/stats.hpp"
#include "smmap/util.hpp"
#include "smmap/window.hpp"
#include "util/mutex.hpp"
#include "util/node_pool.hpp"

namespace smmap::detail {

class ManagerCore {
 public:
  struct Limits {
    std::uint64_t largest_window = 0;      // 0: whole-file regions
    std::uint64_t cursor_window_size = 0;  // caps what cursors report; window_size()
    std::uint64_t max_memory_size = 0;     // soft limit on mapped bytes
    std::uint64_t max_open_handles = 0;    // hard limit on live regions
  };

  explicit ManagerCore(const Limits& limits)
      : limits_(limits),
        lru_(limits.max_memory_size, limits.max_open_handles, kDefaultMaxCopyMemory),
        adaptive_(limits.largest_window, kAdaptiveByDefault) {}
  ManagerCore(const ManagerCore&) = delete;
  ManagerCore& operator=(const ManagerCore&) = delete;
  // REQUIRES: no cursor is alive (they keep the core alive).
  ~ManagerCore();

  // The current entry for |source| with one more cursor counted on it; a new
  // entry when there is none or the file was replaced or resized.
  // Throws std::system_error naming the file.
  FileEntry* add_cursor(const PathOrFd& source) EXCLUDES(mutex_);
  // The most bytes a cursor's view of |entry| may hold: window_size(), or
  // the file size when that is 0.
  std::uint64_t max_request(const FileEntry& entry) const noexcept {
    return limits_.cursor_window_size != 0 ? limits_.cursor_window_size : entry.file_size();
  }

  // Releases |old| (may be null) and returns |entry|'s region holding
  // |offset|, pinned, mapping one if needed — or, when adaptive windows read
  // the request through, |read_through| (made if null) holding exactly
  // [offset, offset + size) clipped to the file. |hits| are the cursor's
  // unreported hits. |sized|: the client asked for |size| bytes rather than
  // as many as the window allows (size 0), so a copy window or a
  // read-through may serve it. On throw, |old| is released all the same.
  // REQUIRES: offset < entry->file_size(); |old| belongs to |entry|.
  MapRegion* switch_region(FileEntry* entry, ManagedRegion* old, std::uint64_t offset,
                           std::uint64_t size, bool sized, std::uint64_t hits,
                           std::unique_ptr<ReadThroughRegion>& read_through) EXCLUDES(mutex_);
  // Releases a pin of |region| (may be null).
  void release(ManagedRegion* region, std::uint64_t hits) noexcept EXCLUDES(mutex_);
  // A cursor copy: one more cursor on |entry| and one more pin of |region|
  // (may be null).
  void copy_cursor(FileEntry* entry, ManagedRegion* region) noexcept EXCLUDES(mutex_);
  // A cursor going away: releases |region| (may be null) and its entry.
  void remove_cursor(FileEntry* entry, ManagedRegion* region, std::uint64_t hits) noexcept
      EXCLUDES(mutex_);

  std::size_t num_regions() const EXCLUDES(mutex_);
  // Descriptors the manager holds open (caller's descriptors not counted).
  std::size_t num_open_descriptors() const EXCLUDES(mutex_);
  std::size_t max_open_descriptors() const EXCLUDES(mutex_);
  // Closes the least recently used descriptors until at most |count| are open.
  void set_max_open_descriptors(std::size_t count) EXCLUDES(mutex_);
  std::size_t num_files_with_regions() const EXCLUDES(mutex_);
  std::uint64_t mapped_memory_size() const EXCLUDES(mutex_);
  const Limits& limits() const noexcept { return limits_; }
  bool align_large_windows() const EXCLUDES(mutex_);
  void set_align_large_windows(bool align) EXCLUDES(mutex_);
  bool adaptive() const EXCLUDES(mutex_);
  void set_adaptive(bool adaptive) EXCLUDES(mutex_);
  // Off, small far misses get copy windows instead of read-throughs (the
  // library's tests of copy windows use it).
  void set_read_through(bool read_through) EXCLUDES(mutex_);
  std::uint64_t max_copy_memory() const EXCLUDES(mutex_);
  // Evicts unused copy windows down to |bytes|.
  void set_max_copy_memory(std::uint64_t bytes) EXCLUDES(mutex_);

  std::size_t collect() EXCLUDES(mutex_);
  // force_map_handle_removal_win() where kMappedFilesAreLocked: releases
  // every entry made from a path
  // under |base_path| — unpinned regions unmapped, pinned ones detached from
  // the file (detach_from_file()), the file closed and taken off the
  // descriptor list (a released entry is never reopened), the entry
  // replaced — and returns how many regions it unmapped or detached.
  std::size_t release_files_under(const std::filesystem::path& base_path) EXCLUDES(mutex_);
  std::size_t collect_lru_region(std::uint64_t size) EXCLUDES(mutex_);
  ManagerStats stats() const EXCLUDES(mutex_);

  // Waits until the prefetcher has no window queued or being prepared (the
  // library's tests use it).
  void wait_for_prefetches() EXCLUDES(mutex_);

  // Throws std::logic_error naming the first broken invariant (docs/design.md,
  // "Invariants"). O(pages mapped + files).
  void check_invariants() const EXCLUDES(mutex_);

 private:
  using Key = std::variant<std::string, int>;
  static Key key_of(const PathOrFd& source);

  // The region holding |offset|, pinned: a live one, or a new one; or
  // |read_through| holding the request (see switch_region()).
  // |previous_uses|: requests served by the copy window the cursor just left
  // (0 if it left none); |left_mapped_uses|: the same for a mapped window;
  // |left_prefetched|: that window was mapped by the prefetcher.
  MapRegion* obtain_region_locked(FileEntry& entry, std::uint64_t offset, std::uint64_t size,
                                  bool sized, std::uint64_t previous_uses,
                                  std::uint64_t left_mapped_uses, bool left_prefetched,
                                  std::unique_ptr<ReadThroughRegion>& read_through)
      REQUIRES(mutex_);
  // Reads [offset, offset + size), clipped to the file, into |region| (made
  // if null), retrying once after freeing every unused region if the read
  // fails. Throws std::system_error naming the file, offset and size.
  MapRegion* read_through_locked(FileEntry& entry, std::uint64_t offset, std::uint64_t size,
                                 std::unique_ptr<ReadThroughRegion>& region) REQUIRES(mutex_);
  // Makes room, places and maps a window holding |offset|, retrying once
  // after freeing every unused region if the map fails.
  ManagedRegion* map_region_locked(FileEntry& entry, std::uint64_t offset, std::uint64_t size)
      REQUIRES(mutex_);
  // The same for a copy window of |bytes| from the page of |offset|.
  ManagedRegion* map_copy_window_locked(FileEntry& entry, std::uint64_t offset, std::uint64_t bytes)
      REQUIRES(mutex_);
  // Called in a handler of a failed map (step 4 of "Obtaining a region"):
  // the first time, frees every unused region so the caller can try again;
  // after a retry, rethrows the error being handled.
  void prepare_retry_locked(bool retried) REQUIRES(mutex_);
  // Where the mapped window for [offset, offset + size) goes.
  MapWindow place_window_locked(FileEntry& entry, std::uint64_t offset, std::uint64_t size) const
      REQUIRES(mutex_);
  // Maps |window| (reads it into a copy window when |copy|) as a new pinned
  // region of |entry|.
  // Throws std::system_error when the handle limit is reached or the map fails.
  ManagedRegion* insert_region_locked(FileEntry& entry, const MapWindow& window, bool copy)
      REQUIRES(mutex_);

  // Queues the window of |entry| holding |offset| for the prefetcher,
  // starting it if needed. Does nothing past the file's end.
  void request_prefetch_locked(FileEntry& entry, std::uint64_t offset) REQUIRES(mutex_);
  // The prefetcher's work on a job: maps the window holding |offset| as a
  // new unused region and returns its bytes, whose pages the prefetcher then
  // prepares; empty when there is nothing to do or no room under the limits
  // (a prefetch is never an error).
  Mapping start_prefetch_locked(FileEntry& entry, std::uint64_t offset) REQUIRES(mutex_);
  // The prefetcher's thread: takes jobs until the manager stops it.
  void prefetch_loop() EXCLUDES(mutex_);

  // The file as the adaptive policy sees it.
  static FileToPlace to_place(FileEntry& entry) {
    return FileToPlace{entry.pattern(), entry.file(), entry.file_size()};
  }
  // Unmaps the unused copy windows of |entry| that overlap [begin, end), so
  // that a mapped window placed there is not cut short by them.
  void clear_copy_windows_locked(FileEntry& entry, std::uint64_t begin, std::uint64_t end)
      REQUIRES(mutex_);
  // Unmaps every unused mapped window of |entry| (it just moved to copy
  // windows).
  void drop_mapped_windows_locked(FileEntry& entry) REQUIRES(mutex_);

  // Opens |entry|'s descriptor again if the budget closed it, and makes it
  // the most recently used. Throws std::system_error naming the file.
  void ensure_descriptor_locked(FileEntry& entry) REQUIRES(mutex_);
  // Closes the least recently used descriptors, never |keep|'s, until the
  // budget holds.
  void enforce_descriptor_budget_locked(const FileEntry* keep) noexcept REQUIRES(mutex_);
  void close_descriptor_locked(FileEntry& entry) noexcept REQUIRES(mutex_);
  // Out of descriptors: closes every descriptor the manager holds (they
  // reopen when needed).
  void close_descriptors_locked() noexcept REQUIRES(mutex_);

  // A cursor lets go of |region| (may be null): its |hits| are counted, for
  // the manager and for the region, and its pin released.
  void release_locked(ManagedRegion* region, std::uint64_t hits) noexcept REQUIRES(mutex_);
  // Whether a cursor that let go of the copy window |left| for a request at
  // |offset| has read past it for good: its file is being scanned, the
  // window is unused, found by no lookup since it was read, and |offset|
  // runs on just past its end. It is then evicted at once, and its block
  // holds the next copy window.
  bool passed_locked(const ManagedRegion& left, std::uint64_t offset) const noexcept
      REQUIRES(mutex_);
  // Unmaps unused regions, coldest first, until |incoming| more bytes fit
  // under the memory limit and one more region under the handle limit.
  void make_room_locked(std::uint64_t incoming) REQUIRES(mutex_);
  // Unmaps unused regions, coldest first, while mapped + |incoming| exceeds
  // the memory limit. Returns how many.
  std::size_t evict_for_memory_locked(std::uint64_t incoming) noexcept REQUIRES(mutex_);
  // Unmaps every unused region. Returns how many.
  std::size_t evict_all_locked() noexcept REQUIRES(mutex_);
  // Unmaps |region| (the coldest, or chosen by a limit), tells the adaptive
  // policy of an evicted mapped window, and drops its entry if that is now
  // unused. REQUIRES: |region| is unused.
  void evict_locked(ManagedRegion* region) noexcept REQUIRES(mutex_);
  // Unmaps an unused region.
  void unmap_locked(ManagedRegion* region) noexcept REQUIRES(mutex_);
  // The same, counted in |counter| (a member of stats_).
  void unmap_counted_locked(ManagedRegion* region, std::uint64_t& counter) noexcept
      REQUIRES(mutex_);
  // Destroys |entry| if nothing refers to it any more; a replaced entry with
  // no cursor loses its regions first.
  void drop_if_unused_locked(FileEntry& entry) noexcept REQUIRES(mutex_);
  // Releases |entry| for release_files_under(); returns its regions' count.
  std::size_t release_locked(FileEntry& entry) noexcept REQUIRES(mutex_);
  // check_invariants() when the library is built with SMMAP_CHECK_INVARIANTS.
  void debug_check_locked() const REQUIRES(mutex_);
  void check_invariants_locked() const REQUIRES(mutex_);

  const Limits limits_;

  mutable Mutex mutex_;
  // Declared before the entries, so that the copy windows are freed before
  // the manager stops using the pool of copy blocks.
  CopyBlocksUser copy_blocks_user_;
  // The nodes of every entry's map of mapped windows, and every entry's copy
  // windows; used under mutex_, and declared before the entries so that they
  // outlive them.
  NodePool node_pool_;
  NodePool copy_window_pool_;
  std::unordered_map<Key, std::unique_ptr<FileEntry>> current_ GUARDED_BY(mutex_);
  // Entries replaced by a newer one for the same source, kept while their
  // cursors live.
  std::vector<std::unique_ptr<FileEntry>> replaced_ GUARDED_BY(mutex_);
  using Lru =
      RegionLru<ManagedRegion, &ManagedRegion::unused_links, &ManagedRegion::unused_copy_links>;
  using Descriptors = DescriptorBudget<FileEntry, &FileEntry::descriptor_links>;
  Lru lru_ GUARDED_BY(mutex_);
  Descriptors descriptors_ GUARDED_BY(mutex_){default_max_open_descriptors()};
  AdaptiveWindows adaptive_ GUARDED_BY(mutex_);
  bool align_large_windows_ GUARDED_BY(mutex_) = kAlignLargeWindowsByDefault;
  // The prefetcher: windows to map ahead of scans, newest last; whether it is
  // preparing one now; whether the manager is going (it then stops).
  struct PrefetchJob {
    FileEntry* entry;
    std::uint64_t offset;
  };
  std::deque<PrefetchJob> prefetch_jobs_ GUARDED_BY(mutex_);
  bool prefetch_running_ GUARDED_BY(mutex_) = false;
  bool prefetch_unavailable_ GUARDED_BY(mutex_) = false;  // no thread could start
  bool stopping_ GUARDED_BY(mutex_) = false;
  // The prefetcher's thread, made at the first job by process
  // prefetcher_process_ and joined by the destructor. A child made by fork()
  // has no such thread, and its copies of the condition variables may count
  // the parent's thread as a waiter: there the thread is given no work, and
  // this is left behind rather than destroyed.
  struct PrefetchThread {
    std::condition_variable_any wakeup;  // a job queued, or stopping
    std::condition_variable_any idle;    // no job queued or running
    std::thread thread;
  };
  std::unique_ptr<PrefetchThread> prefetcher_ GUARDED_BY(mutex_);
  std::uint64_t prefetcher_process_ GUARDED_BY(mutex_) = 0;
  // The counts but the ones lru_ and adaptive_ keep.
  ManagerStats stats_ GUARDED_BY(mutex_);
};

}  // namespace smmap::detail

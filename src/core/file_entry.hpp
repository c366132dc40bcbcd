// FileEntry: a manager's record of one file — the MapRegionList its cursors
// report — with the open file windows are mapped from, its identity when the
// entry was made, its mapped windows by offset, its copy windows by page and
// the number of cursors on it.
//
// The descriptor of a path entry counts against the manager's descriptor
// budget: the manager may close it while the entry lives (its regions stay
// mapped) and reopens it for the next window, checking that the path still
// names the same file (docs/design.md, "Files: identity and replacement").
// A caller's descriptor is never closed.
//
// Thread safety: the identity and size never change. Everything else is
// guarded by the manager's mutex, held by every caller of the methods below
// size() and client_count_of(), which take it themselves (Clang's analysis
// cannot follow the mutex through an entry pointer, so these carry no
// annotation).
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <variant>

#include "core/copy_windows.hpp"
#include "core/managed_region.hpp"
#include "core/region_index.hpp"
#include "platform.hpp"
#include "policy/access_pattern.hpp"
#include "port/open_file.hpp"
#include "smmap/region_list.hpp"
#include "util/check.hpp"
#include "util/errors.hpp"
#include "util/mutex.hpp"
#include "util/node_pool.hpp"

namespace smmap::detail {

class FileEntry final : public MapRegionList {
 public:
  using Regions = RegionIndex<ManagedRegion>;
  using Copies = CopyWindows<ManagedRegion, &ManagedRegion::file_copy_links>;

  // An entry for |file|, opened from |source|; |manager_mutex| guards it, its
  // index of mapped windows takes its nodes from |nodes| and its copy windows
  // are nodes of |copy_nodes|.
  FileEntry(const PathOrFd& source, OpenFile file, Mutex& manager_mutex, NodePool& nodes,
            NodePool& copy_nodes)
      : MapRegionList(source, file.size()),
        file_(std::move(file)),
        mutex_(manager_mutex),
        regions_(nodes, file_size()),
        copies_(copy_nodes) {}

  std::size_t size() const override EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    return region_count();
  }
  int client_count_of(std::uint64_t ofs, std::size_t size) const override EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    const ManagedRegion* found = regions_.starting_at(ofs);
    if (found == nullptr) {
      found = copies_.find(ofs);
      if (found != nullptr && found->ofs_begin() != ofs) found = nullptr;
    }
    return found == nullptr || found->size() != size ? 0 : found->client_count();
  }

  // The file windows are mapped from (on Windows its HANDLE); kNoFile while
  // the budget has it closed or force_map_handle_removal_win() released it.
  NativeFile file() const noexcept { return file_.file(); }
  bool file_is_open() const noexcept { return file_.is_open(); }
  // True for an entry made from a path: its descriptor is the manager's.
  bool owns_descriptor() const noexcept {
    return std::holds_alternative<std::filesystem::path>(path_or_fd());
  }
  const FileIdentity& identity() const noexcept { return file_.identity(); }
  const std::string& description() const noexcept { return file_.description(); }

  // The rest is the manager's, under its mutex.

  // The file's mapped windows (and copies of files that cannot be mapped);
  // they are unmapped before the file closes.
  Regions& regions() noexcept { return regions_; }
  const Regions& regions() const noexcept { return regions_; }
  // Its copy windows (adaptive windows), in none of regions()' gaps' way:
  // placing a window of either kind looks at both.
  Copies& copies() noexcept { return copies_; }
  const Copies& copies() const noexcept { return copies_; }
  // The region of either kind holding |offset|, or null.
  ManagedRegion* find_region(std::uint64_t offset) noexcept {
    ManagedRegion* copy = copies_.find(offset);
    return copy != nullptr || regions_.empty() ? copy : regions_.find(offset);
  }
  // Regions of both kinds.
  std::size_t region_count() const noexcept { return regions_.size() + copies_.size(); }
  bool has_regions() const noexcept { return !regions_.empty() || !copies_.empty(); }
  // Calls |fn| on every region, mapped windows first; |fn| may erase the
  // region it is given.
  template <typename Fn>
  void for_each_region(Fn fn) {
    regions_.for_each(fn);
    copies_.for_each(fn);
  }
  // Whether small requests get copy windows (adaptive windows).
  AccessPattern& pattern() noexcept { return pattern_; }

  // Cursors associated with this entry.
  std::size_t cursors() const noexcept { return cursors_; }
  void add_cursor() noexcept { ++cursors_; }
  // REQUIRES: cursors() > 0.
  void remove_cursor() noexcept {
    SMMAP_DCHECK(cursors_ > 0);
    --cursors_;
  }

  // False once a newer entry replaced this one for the same source, or
  // force_map_handle_removal_win() released it.
  bool is_current() const noexcept { return current_; }
  void retire() noexcept { current_ = false; }
  // True once force_map_handle_removal_win() closed the file: the regions
  // left are private copies, and no new one can be mapped. A released entry
  // is not in the descriptor list and is never reopened.
  bool is_released() const noexcept { return released_; }
  void release_file() noexcept {
    file_.close();
    released_ = true;
  }

  // Closes the descriptor (the budget's choice); reopen() opens it again.
  void close_file() noexcept { file_.close(); }
  // Opens the path again after the manager closed its descriptor.
  // Throws std::system_error naming the file: open's error, or ESTALE when
  // the path now names another file or the file changed.
  void reopen() {
    OpenFile again(path_or_fd());
    if (again.identity() != file_.identity()) {
      throw_system_error(ESTALE,
                         "reopen (the file was replaced or changed since its cursors were made)",
                         file_.description());
    }
    file_ = std::move(again);
  }

  // Links in the manager's list of open descriptors while it holds one; only
  // that list (DescriptorBudget) touches them.
  LruLinks<FileEntry> descriptor_links;

 private:
  // Declared before regions_, so the regions are unmapped before the
  // descriptor closes.
  OpenFile file_;
  Mutex& mutex_;
  Regions regions_;
  Copies copies_;
  std::size_t cursors_ = 0;
  bool current_ = true;
  AccessPattern pattern_;
  bool released_ = false;
};

inline ManagedRegion::ManagedRegion(FileEntry& owner, std::uint64_t ofs, std::size_t size)
    : ManagedRegion(owner, ofs, map_or_copy(owner.file(), owner.description(), ofs, size)) {}

inline ManagedRegion::ManagedRegion(FileEntry& owner, std::uint64_t ofs, std::size_t size,
                                    CopyWindow)
    : ManagedRegion(owner, ofs, read_copy(owner.file(), owner.description(), ofs, size)) {
  copy_window_ = true;
}

inline ManagedRegion::ManagedRegion(FileEntry& owner, std::uint64_t ofs,
                                    const Mapping& mapping) noexcept
    : MapRegion(ofs, mapping.bytes, mapping.copied), owner_(&owner) {}

}  // namespace smmap::detail

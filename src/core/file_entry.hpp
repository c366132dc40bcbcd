// FileEntry: a manager's record of one file — the MapRegionList its cursors
// report — with the open file windows are mapped from, its identity when the
// entry was made, its regions by offset and the number of cursors on it.
//
// The descriptor of a path entry counts against the manager's descriptor
// budget: the manager may close it while the entry lives (its regions stay
// mapped) and reopens it for the next window, checking that the path still
// names the same file (docs/design.md, "Files: identity and replacement").
// A caller's descriptor is never closed.
//
// Thread safety: the file, identity and size never change. Everything else is
// guarded by the manager's mutex and touched only by ManagerCore, whose every
// method that does so REQUIRES that mutex (Clang's analysis cannot follow the
// mutex through an entry pointer, so these fields carry no annotation).
// size() and client_count_of() take the mutex themselves.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <variant>

#include "core/managed_region.hpp"
#include "platform.hpp"
#include "policy/access_pattern.hpp"
#include "port/open_file.hpp"
#include "smmap/region_list.hpp"
#include "util/errors.hpp"
#include "util/mutex.hpp"
#include "util/node_pool.hpp"

namespace smmap::detail {

class FileEntry final : public MapRegionList {
 public:
  // An entry for |file|, opened from |source|; |manager_mutex| guards it, and
  // its region map takes its nodes from |nodes|.
  FileEntry(const PathOrFd& source, OpenFile file, Mutex& manager_mutex, NodePool& nodes)
      : MapRegionList(source, file.size()),
        file_(std::move(file)),
        mutex_(manager_mutex),
        regions_(RegionMap::allocator_type(nodes)) {}

  std::size_t size() const override EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    return regions_.size();
  }
  int client_count_of(std::uint64_t ofs, std::size_t size) const override EXCLUDES(mutex_) {
    MutexLock lock(mutex_);
    const auto found = regions_.find(ofs);
    return found == regions_.end() || found->second.size() != size ? 0
                                                                   : found->second.client_count();
  }

  // The file windows are mapped from (on Windows its HANDLE); kNoFile while
  // the budget has it closed or force_map_handle_removal_win() released it.
  NativeFile file() const noexcept { return file_.file(); }
  // True for an entry made from a path: its descriptor is the manager's.
  bool owns_descriptor() const noexcept {
    return std::holds_alternative<std::filesystem::path>(path_or_fd());
  }
  const FileIdentity& identity() const noexcept { return file_.identity(); }
  const std::string& description() const noexcept { return file_.description(); }

 private:
  friend class ManagerCore;

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

  // Declared before regions_, so the regions are unmapped before the
  // descriptor closes. Closed early by the descriptor budget (a path entry,
  // reopened for the next window) or by force_map_handle_removal_win().
  OpenFile file_;
  Mutex& mutex_;
  // Regions by start offset; they never overlap.
  using RegionMap = std::map<std::uint64_t, ManagedRegion, std::less<>,
                             PoolAllocator<std::pair<const std::uint64_t, ManagedRegion>>>;
  RegionMap regions_;
  // Cursors associated with this entry.
  std::size_t cursors_ = 0;
  // False once a newer entry replaced this one for the same source, or
  // force_map_handle_removal_win() released it.
  bool current_ = true;
  // Links in the manager's list of open descriptors while it holds one.
  LruLinks<FileEntry> descriptor_links_;
  // Whether small requests get copy windows (adaptive windows).
  AccessPattern pattern_;
  // True once force_map_handle_removal_win() closed the file: the regions
  // left are private copies, and no new one can be mapped. A released entry
  // is not in the descriptor list and is never reopened.
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

// smmap/region_list.hpp — MapRegionList, one file and its live regions.
//
// A manager keeps one list per file it was asked for: the file's source, its
// size when the list was made, and its regions sorted by offset (they never
// overlap). A list can also be made directly, as in smmap, to learn a file's
// size; it then never holds regions.
//
// Thread safety: path_or_fd() and file_size() never change. size() and
// empty() take the owning manager's lock and are safe from any thread.
//
//   smmap::MapRegionList file("pack.idx");
//   std::uint64_t bytes = file.file_size();
//   assert(file.size() == 0);  // no regions outside a manager
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "smmap/region.hpp"
#include "smmap/util.hpp"

namespace smmap {

class MapRegionList {
 public:
  // Reads the size of |source|. A path is opened read-only and closed again.
  // Throws std::system_error naming the file when it cannot be opened or is a
  // directory.
  explicit MapRegionList(PathOrFd source);

  MapRegionList(const MapRegionList&) = delete;
  MapRegionList& operator=(const MapRegionList&) = delete;
  ~MapRegionList();

  const PathOrFd& path_or_fd() const noexcept { return source_; }
  // The descriptor windows are mapped from (ours for a path, the caller's
  // for a descriptor), or -1 for a list made directly.
  int mapped_fd() const noexcept { return fd_; }
  // The file's size when the list was made.
  std::uint64_t file_size() const noexcept { return file_size_; }
  // The number of live regions.
  std::size_t size() const;
  bool empty() const { return size() == 0; }
  // The client_count() of the live region [ofs, ofs + size), or 0 when the
  // list holds no such region (it was unmapped). Takes the owning manager's
  // lock, so it is safe from any thread while the list lives.
  int client_count_of(std::uint64_t ofs, std::size_t size) const;

 private:
  friend class detail::ManagerCore;

  // Identity of the file behind the list; a different value for the same
  // path or descriptor means the file was replaced or resized.
  struct Identity {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;
    bool operator==(const Identity&) const = default;
  };

  // Opens |source| (paths only) and records its identity; |fd_| is then open
  // until the list is destroyed. Used by the manager.
  MapRegionList(PathOrFd source, std::mutex* manager_mutex);

  void open_and_identify();
  void system_calls_close() noexcept;
  static Identity identify(const struct stat& info) noexcept;

  const PathOrFd source_;
  std::string description_;
  Identity identity_;
  std::uint64_t file_size_ = 0;

  // The descriptor windows are mapped from: ours for a path, the caller's
  // for a descriptor source (never closed by us).
  int fd_ = -1;
  bool owns_fd_ = false;

  // Null for a list made directly.
  std::mutex* manager_mutex_ = nullptr;
  // GUARDED_BY(*manager_mutex_): regions by start offset, and the number of
  // cursors associated with this list.
  std::map<std::uint64_t, MapRegion> regions_;
  std::size_t cursors_ = 0;
  // GUARDED_BY(*manager_mutex_): false once a newer list replaced this one
  // for the same source.
  bool current_ = true;
};

}  // namespace smmap

// smmap/region_list.hpp — MapRegionList, one file and its live regions.
//
// A manager keeps one list per file it was asked for: the file's source, its
// size when the list was made, and its regions. A list can also be made
// directly, as in smmap, to learn a file's size; it then never holds regions.
//
// Thread safety: path_or_fd() and file_size() never change. size(),
// empty() and client_count_of() are safe from any thread (a manager's list
// takes the manager's lock).
//
// Pointer lifetime: a manager's list lives at least as long as some cursor
// is associated with it (WindowCursor::region_list()).
//
//   #include <iostream>
//   smmap::MapRegionList file("pack.idx");
//   std::uint64_t bytes = file.file_size();
//   std::cout << bytes << " bytes, " << file.size() << " regions\n";  // 0 regions
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "smmap/export.hpp"
#include "smmap/util.hpp"

namespace smmap {

class SMMAP_API MapRegionList {
 public:
  // Reads the size of |source|. A path is opened read-only and closed again.
  // Throws std::system_error naming the file when it cannot be opened or is
  // not a regular file.
  explicit MapRegionList(const PathOrFd& source);

  MapRegionList(const MapRegionList&) = delete;
  MapRegionList& operator=(const MapRegionList&) = delete;
  virtual ~MapRegionList() = default;

  const PathOrFd& path_or_fd() const noexcept { return source_; }
  // The file's size when the list was made.
  std::uint64_t file_size() const noexcept { return file_size_; }
  // The number of live regions (0 for a list made directly).
  virtual std::size_t size() const { return 0; }
  bool empty() const { return size() == 0; }
  // The client_count() of the live region [ofs, ofs + size), or 0 when the
  // list holds no such region (it was unmapped, or never was).
  virtual int client_count_of(std::uint64_t /*ofs*/, std::size_t /*size*/) const { return 0; }

 protected:
  MapRegionList(PathOrFd source, std::uint64_t file_size)
      : source_(std::move(source)), file_size_(file_size) {}

 private:
  PathOrFd source_;
  std::uint64_t file_size_;
};

}  // namespace smmap

// smmap/region.hpp — MapRegion, one live read-only mapping of part of a file.
//
// A region maps [ofs_begin(), ofs_end()) of a file. Regions made by a manager
// belong to it: a cursor pins the region it uses, and the manager unmaps a
// region only when no cursor pins it. A region can also be made directly
// (smmap's MapRegion(path_or_fd, ofs, size)); it then unmaps in its destructor.
//
// Thread safety: the offsets, size and bytes never change while the region
// lives, so any thread holding a pin may read them. client_count() is a
// snapshot that other threads may change at any moment.
//
// Pointer lifetime: data() stays valid until the region is destroyed; for a
// managed region, while some cursor pins it.
//
//   #include <iostream>
//   smmap::MapRegion whole("pack.idx", 0, 0);  // size 0: to the end of the file
//   std::span<const std::byte> bytes = whole.buffer();
//   std::cout << bytes.size() << " bytes, " << whole.client_count() << " client\n";
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "smmap/export.hpp"
#include "smmap/util.hpp"

namespace smmap {

class SMMAP_API MapRegion {
 public:
  // Maps [ofs, ofs + size) of the file, clipped to the file's end; size 0
  // maps from |ofs| to the end, as in smmap. A path is opened read-only for
  // the call and closed again; a descriptor stays the caller's.
  // REQUIRES: ofs is a multiple of ALLOCATIONGRANULARITY and below the file size.
  // Throws std::system_error naming the file, offset and size on failure,
  // std::invalid_argument when |ofs| is unaligned or not below the file size.
  MapRegion(const PathOrFd& source, std::uint64_t ofs, std::uint64_t size);

  MapRegion(const MapRegion&) = delete;
  MapRegion& operator=(const MapRegion&) = delete;
  virtual ~MapRegion();

  std::uint64_t ofs_begin() const noexcept { return ofs_; }
  std::uint64_t ofs_end() const noexcept { return ofs_ + bytes_.size(); }
  std::size_t size() const noexcept { return bytes_.size(); }
  // True iff ofs_begin() <= ofs < ofs_end().
  bool includes_ofs(std::uint64_t ofs) const noexcept { return ofs - ofs_ < bytes_.size(); }

  // smmap's count: one for the region's owner (its manager, or itself when
  // made directly) plus one per cursor that pins it.
  virtual int client_count() const noexcept { return 1; }

  // All bytes of the region; buffer() and map() are smmap's two names for it.
  std::span<const std::byte> buffer() const noexcept { return bytes_; }
  std::span<const std::byte> map() const noexcept { return bytes_; }
  const std::byte* data() const noexcept { return bytes_.data(); }

  // True iff the bytes were read into memory (pread; ReadFile on Windows)
  // rather than mapped: a copy window of adaptive windows
  // (SlidingWindowMapManager::set_adaptive()), or a window of a file that
  // cannot be mapped (some network and virtual file systems). A copy holds
  // the bytes as they were when read.
  bool is_copy() const noexcept { return copied_; }

 protected:
  // Takes over |bytes|, which the library mapped (or, when |copied|, read
  // into a heap block) from offset |ofs| of a file.
  MapRegion(std::uint64_t ofs, std::span<const std::byte> bytes, bool copied) noexcept
      : ofs_(ofs), bytes_(bytes), copied_(copied) {}
  // Points the region at other bytes, from offset |ofs| of the file.
  void rebind(std::uint64_t ofs, std::span<const std::byte> bytes) noexcept {
    ofs_ = ofs;
    bytes_ = bytes;
  }

 private:
  std::uint64_t ofs_;
  std::span<const std::byte> bytes_;
  bool copied_;
};

}  // namespace smmap

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
//   #include <cassert>
//   smmap::MapRegion whole("pack.idx", 0, UINT64_MAX);  // maps the whole file
//   std::span<const std::byte> bytes = whole.buffer();
//   assert(whole.includes_ofs(0) && whole.client_count() == 1);
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

#include "smmap/util.hpp"

namespace smmap {

class MapRegionList;
namespace detail {
class ManagerCore;
}

class MapRegion {
 public:
  // Maps [ofs, ofs + size) of the file, clipped to the file's end; a path is
  // opened read-only for the call and closed again.
  // REQUIRES: ofs is a multiple of ALLOCATIONGRANULARITY and below the file size.
  // Throws std::system_error naming the file, offset and size on failure,
  // std::invalid_argument when |ofs| is unaligned or not below the file size.
  MapRegion(const PathOrFd& source, std::uint64_t ofs, std::uint64_t size);

  // Maps |size| bytes at |ofs| of the open descriptor |fd|; |what| names the
  // file in error messages. The caller keeps |fd|.
  // REQUIRES: ofs is aligned, size > 0, ofs + size <= the file size.
  MapRegion(int fd, const std::string& what, std::uint64_t ofs, std::size_t size);

  MapRegion(const MapRegion&) = delete;
  MapRegion& operator=(const MapRegion&) = delete;
  ~MapRegion();

  std::uint64_t ofs_begin() const noexcept { return ofs_; }
  std::uint64_t ofs_end() const noexcept { return ofs_ + size_; }
  std::size_t size() const noexcept { return size_; }
  // True iff ofs_begin() <= ofs < ofs_end().
  bool includes_ofs(std::uint64_t ofs) const noexcept { return ofs - ofs_ < size_; }

  // smmap's count: one for the region's owner (its manager, or itself when
  // made directly) plus one per cursor that pins it.
  int client_count() const noexcept { return 1 + pins_.load(std::memory_order_relaxed); }

  // All bytes of the region; buffer() and map() are smmap's two names for it.
  std::span<const std::byte> buffer() const noexcept { return {data_, size_}; }
  std::span<const std::byte> map() const noexcept { return buffer(); }
  const std::byte* data() const noexcept { return data_; }

  // True iff the bytes were read into memory because the file cannot be
  // mapped (some network and virtual file systems).
  bool is_copy() const noexcept { return copied_; }

 private:
  friend class detail::ManagerCore;

  void map_from(int fd, const std::string& what);

  const std::uint64_t ofs_;
  std::size_t size_ = 0;
  const std::byte* data_ = nullptr;
  bool copied_ = false;

  // Written only under the owning manager's mutex; read anywhere.
  std::atomic<int> pins_{0};
  // The manager's bookkeeping, guarded by its mutex: the file entry the
  // region belongs to and its place in the list of unpinned regions.
  MapRegionList* owner_ = nullptr;
  MapRegion* lru_prev_ = nullptr;
  MapRegion* lru_next_ = nullptr;
};

}  // namespace smmap

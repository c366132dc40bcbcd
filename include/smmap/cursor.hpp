// smmap/cursor.hpp — WindowCursor, a client's pointer into one file.
//
// A cursor is unassociated (default-constructed), associated (made by a
// manager for one file, no region yet) or valid (it pins a region holding
// [ofs_begin(), ofs_end())). use_region() moves it; when the current region
// already holds the offset, that costs a compare and a few stores and takes no
// lock.
//
// Ownership: copying a cursor pins the same region once more; moving does not;
// destruction releases the pin. A cursor keeps its manager's state alive, so
// it may outlive the manager object.
//
// Thread safety: like a std::string — one cursor must not be used by two
// threads at once, but cursors of one manager may be used by many threads.
//
// Pointer lifetime: buffer() and map() stay valid until the cursor's next
// use_region(), unuse_region(), assignment or destruction.
// Spans from buffer()/map() are not guarded: touching a page of a mapped window
// whose file was truncated under it raises SIGBUS (a copy window keeps the
// bytes it read).
//
//   #include <smmap/manager.hpp>
//   smmap::SlidingWindowMapManager manager;
//   smmap::WindowCursor cursor = manager.make_cursor("objects/pack/x.pack");
//   if (cursor.use_region(4096, 64).is_valid()) {
//     std::span<const std::byte> bytes = cursor.buffer();  // up to 64 bytes at 4096
//   }
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

#include "smmap/export.hpp"
#include "smmap/region.hpp"
#include "smmap/region_list.hpp"
#include "smmap/util.hpp"

namespace smmap {

class SlidingWindowMapBuffer;
class StaticWindowMapManager;
namespace detail {
class ManagerCore;
class ManagedRegion;
class ReadThroughRegion;
}  // namespace detail

class SMMAP_API WindowCursor {
 public:
  // An unassociated cursor: no file, never valid.
  WindowCursor() noexcept;
  WindowCursor(const WindowCursor& other);
  WindowCursor(WindowCursor&& other) noexcept;
  WindowCursor& operator=(const WindowCursor& other);
  WindowCursor& operator=(WindowCursor&& other) noexcept;
  ~WindowCursor();

  // smmap's name for copy assignment.
  void assign(const WindowCursor& other) { *this = other; }

  // True iff the cursor belongs to a file.
  bool is_associated() const noexcept { return list_ != nullptr; }
  // True iff the cursor pins a region.
  bool is_valid() const noexcept { return region_ != nullptr; }

  // Points the cursor at |offset| with at most |size| bytes (0: as many as
  // possible), mapping a window if the current region does not hold |offset|.
  // The size is clamped to the window size and to the region's end, so it can
  // come out smaller than asked. An offset at or past the end of the file, or
  // an unassociated cursor, leaves the cursor invalid; that is not an error.
  // |flags| is accepted for smmap compatibility and ignored.
  // Throws std::system_error (naming path, offset and size) when a window
  // cannot be mapped even after freeing every unused region; the cursor is
  // then invalid.
  WindowCursor& use_region(std::uint64_t offset = 0, std::uint64_t size = 0, int flags = 0) {
    if (offset - region_begin_ < region_size_) [[likely]] {  // region_size_ == 0 when invalid
      ofs_ = offset;
      size_ =
          std::min({size ? size : file_size_, max_request_, region_begin_ + region_size_ - offset});
      ++unreported_hits_;
      return *this;
    }
    return use_region_slow(offset, size, flags);
  }

  // Releases the region, if any; the cursor stays associated. Idempotent.
  void unuse_region() noexcept;

  // The bytes [ofs_begin(), ofs_end()); empty when invalid.
  std::span<const std::byte> buffer() const noexcept {
    if (region_ == nullptr) return {};
    return {region_data_ + (ofs_ - region_begin_), static_cast<std::size_t>(size_)};
  }
  // All bytes of the current region; empty when invalid.
  std::span<const std::byte> map() const noexcept {
    return {region_data_, static_cast<std::size_t>(region_size_)};
  }
  // The current region, or nullptr when invalid.
  const MapRegion* region() const noexcept { return region_; }
  // The file entry the cursor belongs to, or nullptr when unassociated. It
  // lives at least as long as the cursor stays associated with it.
  const MapRegionList* region_list() const noexcept { return list_; }

  // The window last set by use_region(). When invalid, size() is 0.
  std::uint64_t ofs_begin() const noexcept { return ofs_; }
  std::uint64_t ofs_end() const noexcept { return ofs_ + size_; }
  std::uint64_t size() const noexcept { return size_; }
  // True iff ofs_begin() <= ofs < ofs_end().
  bool includes_ofs(std::uint64_t ofs) const noexcept { return ofs - ofs_ < size_; }

  // The file's size when its entry was made (0 when unassociated).
  std::uint64_t file_size() const noexcept { return file_size_; }
  // The source the cursor was made from.
  // Throws std::logic_error when the cursor is unassociated.
  const PathOrFd& path_or_fd() const;
  // Throws std::invalid_argument when the cursor was made from a descriptor.
  const std::filesystem::path& path() const;
  // Throws std::invalid_argument when the cursor was made from a path.
  int fd() const;

 private:
  friend class StaticWindowMapManager;  // makes associated cursors
  friend class SlidingWindowMapBuffer;  // reads the region fields below

  WindowCursor(std::shared_ptr<detail::ManagerCore> core, MapRegionList* list,
               std::uint64_t max_request) noexcept;

  WindowCursor& use_region_slow(std::uint64_t offset, std::uint64_t size, int flags);
  void clear_region() noexcept;
  // region_ when it is a region of the manager the cursor pins, else null.
  detail::ManagedRegion* pinned_region() const noexcept;
  // Drops the association (and pin) this cursor holds.
  void leave() noexcept;
  // Takes |other|'s association and pin, leaving it unassociated.
  void take_from(WindowCursor& other) noexcept;

  std::shared_ptr<detail::ManagerCore> core_;
  MapRegionList* list_ = nullptr;  // the file's entry in core_; null iff unassociated
  // A region of list_ pinned by this cursor, or read_through_; null iff invalid.
  MapRegion* region_ = nullptr;
  // The bytes of the last read-through, kept for the next one.
  std::unique_ptr<detail::ReadThroughRegion> read_through_;
  // Copies of the region's fields, so the hit path reads only the cursor.
  const std::byte* region_data_ = nullptr;
  std::uint64_t region_begin_ = 0;
  std::uint64_t region_size_ = 0;
  std::uint64_t ofs_ = 0;
  std::uint64_t size_ = 0;
  std::uint64_t file_size_ = 0;
  std::uint64_t max_request_ = 0;      // the window size, or the file size
  std::uint64_t unreported_hits_ = 0;  // not yet added to the manager's stats
};

}  // namespace smmap

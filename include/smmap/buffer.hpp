// smmap/buffer.hpp — SlidingWindowMapBuffer, a byte-string view of a file.
//
// The buffer shows |size| bytes of a file starting at |offset|, moving its
// cursor across windows as needed. Indices are relative: index 0 is the byte
// at |offset|.
//
// Ownership: the buffer uses the caller's cursor and does not own it.
// REQUIRES: the cursor outlives the buffer, or the next begin_access().
//
// Thread safety: like the cursor it uses — one thread at a time.
//
// A file truncated by another process under a live region: read() and
// operator[] throw std::system_error instead of crashing. Spans taken from
// the cursor directly (buffer(), map()) cannot be protected.
//
//   #include <smmap/manager.hpp>
//   #include <array>
//   smmap::SlidingWindowMapManager manager;
//   smmap::WindowCursor cursor = manager.make_cursor("big.pack");
//   smmap::SlidingWindowMapBuffer buf(cursor, 1000);  // bytes 1000.. of the file
//   std::byte first = buf[0];
//   std::array<std::byte, 4096> block;
//   std::size_t got = buf.read(8192, block);  // crosses windows as needed
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "smmap/cursor.hpp"
#include "smmap/export.hpp"

namespace smmap {

class SMMAP_API SlidingWindowMapBuffer {
 public:
  static constexpr std::uint64_t kToEnd = std::numeric_limits<std::uint64_t>::max();

  // A buffer with no cursor; begin_access() makes it usable.
  SlidingWindowMapBuffer() noexcept = default;
  // Calls begin_access(cursor, offset, size, flags).
  // Throws std::invalid_argument when the cursor is unassociated or |offset|
  // is not below the file size.
  explicit SlidingWindowMapBuffer(WindowCursor& cursor, std::uint64_t offset = 0,
                                  std::uint64_t size = kToEnd, int flags = 0);
  SlidingWindowMapBuffer(const SlidingWindowMapBuffer&) = delete;
  SlidingWindowMapBuffer& operator=(const SlidingWindowMapBuffer&) = delete;
  ~SlidingWindowMapBuffer() { end_access(); }

  // Uses |cursor| to view bytes [offset, offset + size) of its file, clipped
  // to the file's end. Returns true iff the cursor is associated and |offset|
  // is inside the file; on false the buffer is empty. Throws as
  // WindowCursor::use_region() does when the first window cannot be mapped.
  bool begin_access(WindowCursor& cursor, std::uint64_t offset = 0, std::uint64_t size = kToEnd,
                    int flags = 0);
  // The same with the cursor already set; false when there is none.
  bool begin_access(std::uint64_t offset = 0, std::uint64_t size = kToEnd, int flags = 0);
  // Releases the cursor's region and empties the buffer. Idempotent.
  void end_access() noexcept;

  // The cursor in use, or nullptr.
  WindowCursor* cursor() const noexcept { return cursor_; }
  // The number of bytes viewed.
  std::uint64_t size() const noexcept { return size_; }
  // The file offset of index 0.
  std::uint64_t offset() const noexcept { return offset_; }

  // The byte at relative index |i|. A byte in the cursor's current region is
  // copied from it without moving the cursor's view (nor counting a cursor
  // hit); any other moves the cursor as read() does. The Python buffer's b[i]
  // is this.
  // Throws std::out_of_range when i >= size(); std::system_error when the
  // bytes cannot be mapped or the file was truncated under the mapping;
  // std::logic_error when the cursor no longer reaches the byte (see read()).
  std::byte operator[](std::uint64_t i);

  // Copies bytes from relative index |index| (file offset offset() + index)
  // into |out|, crossing windows (moving the cursor as use_region() does), and
  // returns how many were copied: fewer than out.size() at the end of the
  // buffer (0 from size() on), or where the cursor no longer reaches the
  // bytes because it was reassigned (to no file, or to a shorter one) or
  // moved from meanwhile: there read() returns what it got, 0 for none,
  // where operator[] throws.
  // Throws std::system_error when the bytes cannot be mapped or the file was
  // truncated under the mapping; never std::out_of_range or std::logic_error.
  std::size_t read(std::uint64_t index, std::span<std::byte> out);

 private:
  WindowCursor* cursor_ = nullptr;
  std::uint64_t offset_ = 0;
  std::uint64_t size_ = 0;
};

}  // namespace smmap

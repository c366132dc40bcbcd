#include "smmap/buffer.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "api/buffer_errors.hpp"
#include "port/guarded_copy.hpp"

namespace smmap {

SlidingWindowMapBuffer::SlidingWindowMapBuffer(WindowCursor& cursor, std::uint64_t offset,
                                               std::uint64_t size, int flags) {
  if (!begin_access(cursor, offset, size, flags)) {
    throw std::invalid_argument(detail::buffer_begin_error(cursor, std::to_string(offset)));
  }
}

std::string detail::buffer_begin_error(const WindowCursor& cursor, std::string_view offset) {
  if (!cursor.is_associated()) {
    return "SlidingWindowMapBuffer: the cursor is not associated with a file";
  }
  return "SlidingWindowMapBuffer: offset " + std::string(offset) + " is not below the size " +
         std::to_string(cursor.file_size()) + " of '" + describe(cursor.path_or_fd()) + "'";
}

bool SlidingWindowMapBuffer::begin_access(WindowCursor& cursor, std::uint64_t offset,
                                          std::uint64_t size, int flags) {
  cursor_ = &cursor;
  return begin_access(offset, size, flags);
}

bool SlidingWindowMapBuffer::begin_access(std::uint64_t offset, std::uint64_t size, int flags) {
  offset_ = offset;
  size_ = 0;
  if (cursor_ == nullptr || !cursor_->use_region(offset, size, flags).is_valid()) return false;
  size_ = std::min(size, cursor_->file_size() - offset);
  return true;
}

void SlidingWindowMapBuffer::end_access() noexcept {
  size_ = 0;
  if (cursor_ != nullptr) cursor_->unuse_region();
}

std::byte SlidingWindowMapBuffer::operator[](std::uint64_t i) {
  if (i >= size_) {
    throw std::out_of_range("SlidingWindowMapBuffer: index " + std::to_string(i) +
                            " is not below the size " + std::to_string(size_));
  }
  std::byte value;
  // The byte is usually in the cursor's region: copy it from there, leaving
  // the cursor's view where it is.
  const WindowCursor& cursor = *cursor_;  // set whenever size_ > 0
  const std::uint64_t position = offset_ + i;
  if (position - cursor.region_begin_ < cursor.region_size_) [[likely]] {
    detail::guarded_copy(&value, cursor.region_data_ + (position - cursor.region_begin_), 1,
                         &cursor.path_or_fd(), position);
    return value;
  }
  if (read(i, std::span<std::byte>(&value, 1)) != 1) {
    // Only when the cursor lost its file (moved from or reassigned) under us.
    throw std::logic_error("SlidingWindowMapBuffer: index " + std::to_string(i) +
                           " cannot be read: the buffer's cursor is no longer associated");
  }
  return value;
}

std::size_t SlidingWindowMapBuffer::read(std::uint64_t index, std::span<std::byte> out) {
  if (index >= size_ || cursor_ == nullptr) return 0;
  const std::uint64_t wanted = std::min<std::uint64_t>(out.size(), size_ - index);
  std::uint64_t position = offset_ + index;
  std::uint64_t done = 0;
  WindowCursor& cursor = *cursor_;
  while (done < wanted) {
    // A cursor hit when its region holds |position|; otherwise a new window,
    // asked for everything still wanted so that it extends forwards.
    if (!cursor.use_region(position, wanted - done).is_valid()) break;
    const std::uint64_t chunk =
        std::min(wanted - done, cursor.region_begin_ + cursor.region_size_ - position);
    detail::guarded_copy(out.data() + done, cursor.region_data_ + (position - cursor.region_begin_),
                         static_cast<std::size_t>(chunk), &cursor.path_or_fd(), position);
    done += chunk;
    position += chunk;
  }
  return static_cast<std::size_t>(done);
}

}  // namespace smmap

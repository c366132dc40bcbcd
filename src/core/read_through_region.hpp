// ReadThroughRegion: the bytes of one request read straight from the file
// into memory a cursor owns — a read-through (docs/design.md, "Adaptive
// windows"). Where a file's small reads land far apart and copy windows are
// seldom read again, caching a page per read costs more than the read; the
// manager then reads exactly the bytes asked for into the cursor's region.
// It belongs to no manager: it is not counted among the manager's regions,
// takes no memory from its limits, and is reused by the cursor's next
// read-through (its buffer grows to the largest request, at most one page).
//
// Thread safety: the cursor's, like the cursor (one thread at a time). The
// manager writes it under its mutex, while the cursor waits in use_region().
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "smmap/region.hpp"

namespace smmap::detail {

class ReadThroughRegion final : public MapRegion {
 public:
  ReadThroughRegion() noexcept : MapRegion(0, std::span<const std::byte>(), true) {}
  ReadThroughRegion(const ReadThroughRegion&) = delete;
  ReadThroughRegion& operator=(const ReadThroughRegion&) = delete;
  // Lets go of the buffer before ~MapRegion(), which would free it as a copy.
  ~ReadThroughRegion() override { rebind(0, std::span<const std::byte>()); }

  // The same bytes, in a buffer of its own (a copied cursor's).
  std::unique_ptr<ReadThroughRegion> clone() const {
    auto copy = std::make_unique<ReadThroughRegion>();
    std::byte* into = copy->prepare(size());
    std::copy(data(), data() + size(), into);
    copy->hold(ofs_begin(), size());
    return copy;
  }

  // A buffer of at least |size| bytes to read into; the bytes held so far
  // are no longer valid.
  std::byte* prepare(std::size_t size) {
    rebind(0, std::span<const std::byte>());
    if (size > capacity_) {
      buffer_ = std::make_unique_for_overwrite<std::byte[]>(size);
      capacity_ = size;
    }
    return buffer_.get();
  }
  // The first |size| bytes of the buffer hold the file from |ofs| on.
  void hold(std::uint64_t ofs, std::size_t size) noexcept { rebind(ofs, {buffer_.get(), size}); }

 private:
  std::unique_ptr<std::byte[]> buffer_;
  std::size_t capacity_ = 0;
};

}  // namespace smmap::detail

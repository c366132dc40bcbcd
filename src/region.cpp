#include "smmap/region.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>

#include "file_handle.hpp"
#include "smmap/window.hpp"
#include "system_calls.hpp"

namespace smmap {
namespace {

// Reads [ofs, ofs + size) of |fd| into a new heap block, for files that
// cannot be mapped. Throws std::system_error on a read error or a short file.
std::byte* read_into_memory(int fd, const std::string& what, std::uint64_t ofs, std::size_t size) {
  auto bytes = std::make_unique<std::byte[]>(size);
  std::size_t done = 0;
  while (done < size) {
    const ssize_t got = detail::system_calls().pread(fd, bytes.get() + done, size - done,
                                                     static_cast<off_t>(ofs + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) detail::throw_system_error(errno, "pread", what, ofs, size);
    if (got == 0) detail::throw_system_error(EIO, "pread (file shrank)", what, ofs, size);
    done += static_cast<std::size_t>(got);
  }
  return bytes.release();
}

}  // namespace

MapRegion::MapRegion(const PathOrFd& source, std::uint64_t ofs, std::uint64_t size) : ofs_(ofs) {
  const std::string what = describe(source);
  std::unique_ptr<detail::FileHandle> opened;
  int fd = -1;
  if (const auto* path = std::get_if<std::filesystem::path>(&source)) {
    opened = std::make_unique<detail::FileHandle>(*path);
    fd = opened->get();
  } else {
    fd = std::get<int>(source);
  }
  const std::uint64_t file_size =
      static_cast<std::uint64_t>(detail::stat_regular_file(fd, what).st_size);
  if (ofs % ALLOCATIONGRANULARITY != 0 || ofs >= file_size) {
    throw std::invalid_argument("MapRegion of '" + what + "': offset " + std::to_string(ofs) +
                                " must be a multiple of " + std::to_string(ALLOCATIONGRANULARITY) +
                                " below the file size " + std::to_string(file_size));
  }
  const std::uint64_t length = std::min(size, file_size - ofs);
  if (length > std::numeric_limits<std::size_t>::max()) {
    detail::throw_system_error(ENOMEM, "mmap (larger than the address space)", what, ofs, length);
  }
  size_ = static_cast<std::size_t>(length);
  map_from(fd, what);
}

MapRegion::MapRegion(int fd, const std::string& what, std::uint64_t ofs, std::size_t size)
    : ofs_(ofs), size_(size) {
  map_from(fd, what);
}

void MapRegion::map_from(int fd, const std::string& what) {
  void* address = detail::system_calls().mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd,
                                              static_cast<off_t>(ofs_));
  if (address != MAP_FAILED) {
    data_ = static_cast<const std::byte*>(address);
    return;
  }
  const int err = errno;
  if (err != ENODEV) detail::throw_system_error(err, "mmap", what, ofs_, size_);
  // The file system cannot map this file: read the window instead.
  data_ = read_into_memory(fd, what, ofs_, size_);
  copied_ = true;
}

MapRegion::~MapRegion() {
  if (copied_) {
    delete[] data_;
  } else if (data_ != nullptr) {
    detail::system_calls().munmap(const_cast<std::byte*>(data_), size_);
  }
}

MapWindow MapWindow::from_region(const MapRegion& region) noexcept {
  return MapWindow(region.ofs_begin(), region.size());
}

}  // namespace smmap

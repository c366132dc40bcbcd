#include "smmap/region.hpp"

#include <limits>
#include <stdexcept>
#include <string>

#include "port/mapping.hpp"
#include "port/open_file.hpp"
#include "smmap/window.hpp"
#include "util/errors.hpp"

namespace smmap {
namespace {

// The bytes smmap's MapRegion(path_or_fd, ofs, size) maps: [ofs, ofs + size)
// clipped to the file's end, or to the end when |size| is 0.
detail::Mapping map_requested(const PathOrFd& source, std::uint64_t ofs, std::uint64_t size) {
  const detail::OpenFile file(source);
  const std::string& what = file.description();
  if (ofs % ALLOCATIONGRANULARITY != 0 || ofs >= file.size()) {
    throw std::invalid_argument("MapRegion of '" + what + "': offset " + std::to_string(ofs) +
                                " must be a multiple of " + std::to_string(ALLOCATIONGRANULARITY) +
                                " below the file size " + std::to_string(file.size()));
  }
  const std::uint64_t rest = file.size() - ofs;
  const std::uint64_t length = size == 0 ? rest : std::min(size, rest);
  if (length > std::numeric_limits<std::size_t>::max()) {
    detail::throw_system_error(ENOMEM, "mmap (larger than the address space)", what, ofs, length);
  }
  return detail::map_or_copy(file.file(), what, ofs, static_cast<std::size_t>(length));
}

}  // namespace

MapRegion::MapRegion(const PathOrFd& source, std::uint64_t ofs, std::uint64_t size) : ofs_(ofs) {
  const detail::Mapping mapping = map_requested(source, ofs, size);
  bytes_ = mapping.bytes;
  copied_ = mapping.copied;
}

MapRegion::~MapRegion() {
  detail::unmap(detail::Mapping{bytes_, copied_});
}

MapWindow MapWindow::from_region(const MapRegion& region) noexcept {
  return MapWindow(region.ofs_begin(), region.size());
}

}  // namespace smmap
